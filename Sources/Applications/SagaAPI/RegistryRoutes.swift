import Hummingbird
import SchemaRegistry

/// `/registry`: the contracts of this build as a read-only Confluent-compatible schema registry
/// (``ContractRegistryRoutes``), for producers with Confluent serializers (`schemas/README.md`).
/// Its answers are the registry API's JSON (`application/vnd.schemaregistry.v1+json`), not problems.
public struct RegistryRoutes: Sendable {
    /// Where the routes are mounted.
    public static let prefix = "/registry"
    /// The registry served.
    public let registry: ContractRegistryRoutes

    /// Serves `registry` under ``prefix``.
    public init(registry: ContractRegistryRoutes) {
        self.registry = registry
    }

    /// Every route, under ``prefix``.
    public static let routes: [APIRoute] = ContractRegistryRoutes.operations.map { APIRoute($0.method, prefix + $0.path) }

    func register<Context: RequestContext>(on router: Router<Context>) {
        registry.addRoutes(to: router.group(RouterPath(Self.prefix)))
    }
}
