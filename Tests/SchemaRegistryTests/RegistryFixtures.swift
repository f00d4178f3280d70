import Synchronization
import Avro
import Foundation
import Hummingbird
import HummingbirdTesting
import SagaContracts
@testable import SchemaRegistry

/// The contracts as a registry, and the routes started in process.
enum RegistryFixtures {
    /// The repository's root (for schemas/ and .deps/).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every generated contract type's schema.
    static let contractSchemas: [AvroSchema] = AvroGeneratedTypes.all.map { $0.avroSchema }

    /// The contracts' registry, with the topics of `SagaTopics().messageTypes`.
    static func contracts() throws -> ContractRegistry {
        try ContractRegistry(schemas: contractSchemas, topics: SagaTopics().messageTypes)
    }

    /// An application serving `registry` under `/registry`, plus `extra` routes.
    static func application(_ registry: ContractRegistry, counter: RequestCounter? = nil) -> some ApplicationProtocol {
        let router = Router()
        let group = router.group("registry")
        if let counter { group.add(middleware: counter) }
        ContractRegistryRoutes(registry: registry).addRoutes(to: group)
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// Runs `body` with a live server of the contracts' registry and its base URL.
    static func withLiveRegistry<Value: Sendable>(
        _ registry: ContractRegistry? = nil, counter: RequestCounter? = nil,
        _ body: @Sendable (String) async throws -> Value
    ) async throws -> Value {
        let app = application(try registry ?? contracts(), counter: counter)
        return try await app.test(.live) { client in
            guard let port = client.port else { throw FixtureError(description: "the live test server has no port") }
            return try await body("http://127.0.0.1:\(port)/registry")
        }
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
    }
}

/// Counts requests by path (to see that concurrent fetches of one id make one request).
final class RequestCounter: RouterMiddleware, Sendable {
    typealias Context = BasicRequestContext
    private let counts = Mutex<[String: Int]>([:])

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        counts.withLock { $0[request.uri.path, default: 0] += 1 }
        return try await next(request, context)
    }

    func count(_ path: String) -> Int { counts.withLock { $0[path] ?? 0 } }
}
