import AsyncHTTPClient
import Avro
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// A client of a Confluent-compatible schema registry (Confluent, Redpanda, Apicurio's
/// `ccompat` API, Karapace), for Avro schemas.
///
/// Schemas by id are cached for the life of the client (a registry never changes what an id
/// means), and concurrent fetches of one id share one request. Every failure is a
/// ``SchemaRegistryError``: an unknown id is ``SchemaRegistryError/Kind/unknownSchemaID(_:)``,
/// distinct from ``SchemaRegistryError/Kind/unavailable(_:)`` (connection refused, timeout, 5xx).
///
/// With a CA file the client runs its own HTTP client: call ``shutdown()`` when done.
/// Otherwise it uses `HTTPClient.shared`, or the one given, and ``shutdown()`` does nothing.
public final class SchemaRegistryClient: SchemaByIDSource {
    /// Where the registry is and how to authenticate (credentials never logged).
    public let configuration: SchemaRegistryConfiguration
    let http: HTTPClient
    let ownsHTTPClient: Bool
    let logger: Logger
    let cache = SchemaIDCache()

    /// The largest answer read.
    static let maxResponseSize = 16 << 20

    /// Creates a client; with `httpClient` nil it uses `HTTPClient.shared`, or its own client
    /// trusting the configuration's CA file when there is one.
    public init(configuration: SchemaRegistryConfiguration, httpClient: HTTPClient? = nil, logger: Logger = Logger(label: "schema-registry")) throws(SchemaRegistryError) {
        self.configuration = configuration
        self.logger = logger
        if let httpClient {
            self.http = httpClient
            self.ownsHTTPClient = false
        } else if let caFile = configuration.caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw SchemaRegistryError(.configuration("cannot read CA certificates from \(caFile): \(error)"), operation: "", registry: configuration.baseURL)
            }
            self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: HTTPClient.Configuration(tlsConfiguration: tls))
            self.ownsHTTPClient = true
        } else {
            self.http = HTTPClient.shared
            self.ownsHTTPClient = false
        }
    }

    /// Shuts down the HTTP client this client created (with a CA file); otherwise does nothing.
    public func shutdown() async throws {
        if ownsHTTPClient { try await http.shutdown() }
    }

    // MARK: Schemas by id

    /// The schema with this id: from the cache, or fetched once (`GET /schemas/ids/{id}`) and
    /// cached for good. Concurrent calls for one id share one request; a failure is not cached.
    public func schema(id: Int32) async throws(SchemaRegistryError) -> AvroSchema {
        try await cache.schema(id: id) { () async throws(SchemaRegistryError) -> AvroSchema in
            try await self.fetchSchema(id: id)
        }
    }

    /// The schema with this id if it was fetched before (never blocks, never fetches).
    public func cachedSchema(id: Int32) -> AvroSchema? { cache.cached(id: id) }

    func fetchSchema(id: Int32) async throws(SchemaRegistryError) -> AvroSchema {
        let operation = "GET /schemas/ids/\(id)"
        logger.debug("fetching schema", metadata: ["schema.id": "\(id)", "registry": "\(configuration.baseURL)"])
        let json = try await send(.GET, "/schemas/ids/\(id)", operation: operation) { status, code, message in
            if status == 404 && (code == nil || code == RegistryJSON.ErrorCode.schemaNotFound) { return .unknownSchemaID(id) }
            return nil
        }
        return try parseSchema(in: json, operation: operation)
    }

    // MARK: Subjects

    /// Registers `schema` under `subject` (`POST /subjects/{subject}/versions`) and returns the
    /// id the registry gives it (an existing one when the subject already has the schema).
    public func register(_ schema: AvroSchema, subject: String, normalize: Bool = false) async throws(SchemaRegistryError) -> Int32 {
        let operation = "POST /subjects/\(subject)/versions"
        let json = try await send(.POST, "/subjects/\(Self.escape(subject))/versions" + (normalize ? "?normalize=true" : ""),
                                  body: Self.schemaRequest(schema), operation: operation) { _, _, _ in nil }
        guard case .integer(let id)? = json["id"], let id32 = Int32(exactly: id) else {
            throw SchemaRegistryError(.invalidResponse("no schema id in \(json.serialized)"), operation: operation, registry: configuration.baseURL)
        }
        cache.store(schema, id: id32)
        return id32
    }

    /// The version of `subject` that has `schema` (`POST /subjects/{subject}`), compared by the
    /// registry (Confluent normalizes to canonical form with `normalize`).
    public func lookup(_ schema: AvroSchema, subject: String, normalize: Bool = false) async throws(SchemaRegistryError) -> RegisteredSchema {
        let operation = "POST /subjects/\(subject)"
        let json = try await send(.POST, "/subjects/\(Self.escape(subject))" + (normalize ? "?normalize=true" : ""),
                                  body: Self.schemaRequest(schema), operation: operation) { status, code, _ in
            if code == RegistryJSON.ErrorCode.subjectNotFound { return .subjectNotFound(subject) }
            if status == 404 { return .schemaNotFound(subject: subject) }
            return nil
        }
        return try registered(json, subject: subject, operation: operation)
    }

    /// Whether `schema` may become the next version of `subject` under the subject's
    /// compatibility level (`POST /compatibility/subjects/{subject}/versions/{version}?verbose=true`),
    /// with the registry's reasons when it may not. A subject that does not exist yet throws
    /// ``SchemaRegistryError/Kind/subjectNotFound(_:)`` (anything is compatible with nothing).
    public func checkCompatibility(_ schema: AvroSchema, subject: String, version: String = "latest") async throws(SchemaRegistryError) -> CompatibilityResult {
        let operation = "POST /compatibility/subjects/\(subject)/versions/\(version)"
        let json = try await send(.POST, "/compatibility/subjects/\(Self.escape(subject))/versions/\(Self.escape(version))?verbose=true",
                                  body: Self.schemaRequest(schema), operation: operation) { _, code, _ in
            if code == RegistryJSON.ErrorCode.subjectNotFound { return .subjectNotFound(subject) }
            if code == RegistryJSON.ErrorCode.versionNotFound { return .versionNotFound(subject: subject, version: version) }
            return nil
        }
        guard case .bool(let compatible)? = json["is_compatible"] else {
            throw SchemaRegistryError(.invalidResponse("no is_compatible in \(json.serialized)"), operation: operation, registry: configuration.baseURL)
        }
        var messages: [String] = []
        if case .array(let items)? = json["messages"] {
            messages = items.map { if case .string(let text) = $0 { text } else { $0.serialized } }
        }
        return CompatibilityResult(isCompatible: compatible, messages: messages)
    }

    /// Every subject (`GET /subjects`).
    public func subjects() async throws(SchemaRegistryError) -> [String] {
        let operation = "GET /subjects"
        let json = try await send(.GET, "/subjects", operation: operation) { _, _, _ in nil }
        guard case .array(let items) = json else {
            throw SchemaRegistryError(.invalidResponse("not an array: \(json.serialized)"), operation: operation, registry: configuration.baseURL)
        }
        return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }

    /// The versions of `subject` (`GET /subjects/{subject}/versions`).
    public func versions(subject: String) async throws(SchemaRegistryError) -> [Int] {
        let operation = "GET /subjects/\(subject)/versions"
        let json = try await send(.GET, "/subjects/\(Self.escape(subject))/versions", operation: operation) { _, code, _ in
            code == RegistryJSON.ErrorCode.subjectNotFound ? .subjectNotFound(subject) : nil
        }
        guard case .array(let items) = json else {
            throw SchemaRegistryError(.invalidResponse("not an array: \(json.serialized)"), operation: operation, registry: configuration.baseURL)
        }
        return items.compactMap { if case .integer(let v) = $0 { Int(v) } else { nil } }
    }

    /// A version of `subject` (`GET /subjects/{subject}/versions/{version}`), `"latest"` by default.
    public func version(_ version: String = "latest", subject: String) async throws(SchemaRegistryError) -> RegisteredSchema {
        let operation = "GET /subjects/\(subject)/versions/\(version)"
        let json = try await send(.GET, "/subjects/\(Self.escape(subject))/versions/\(Self.escape(version))", operation: operation) { _, code, _ in
            if code == RegistryJSON.ErrorCode.subjectNotFound { return .subjectNotFound(subject) }
            if code == RegistryJSON.ErrorCode.versionNotFound { return .versionNotFound(subject: subject, version: version) }
            return nil
        }
        return try registered(json, subject: subject, operation: operation)
    }
}

/// A schema under a subject, as a registry answers it.
public struct RegisteredSchema: Sendable, Hashable {
    /// The subject.
    public var subject: String
    /// The schema's id.
    public var id: Int32
    /// The version under the subject.
    public var version: Int
    /// The schema.
    public var schema: AvroSchema
}

/// The answer of a compatibility check.
public struct CompatibilityResult: Sendable, Hashable {
    /// Whether the schema may become the subject's next version.
    public var isCompatible: Bool
    /// The registry's reasons when it may not (empty when it gives none).
    public var messages: [String]
}
