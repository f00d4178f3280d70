import Avro
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The read-only Confluent REST API over a ``ContractRegistry``, as Hummingbird routes.
///
/// Mount them under a prefix, with whatever middleware (authentication) in front:
/// ```swift
/// let registry = try ContractRegistry(schemas: AvroGeneratedTypes.all.map { $0.avroSchema }, topics: SagaTopics().messageTypes)
/// router.group("registry").add(middleware: auth).addRoutes(ContractRegistryRoutes(registry: registry).collection(context: MyContext.self))
/// ```
/// Reads: `GET /schemas/ids/{id}` (and `…/schema`), `GET /schemas/ids/{id}/versions`,
/// `GET /subjects`, `GET /subjects/{subject}/versions`, `GET /subjects/{subject}/versions/{version|latest}`
/// (and `…/schema`), `POST /subjects/{subject}` (look a schema up, compared by Parsing Canonical
/// Form; `normalize` is accepted), `POST /compatibility/subjects/{subject}/versions/{version|latest}`,
/// `GET /config`, `GET /config/{subject}`, `GET /mode`. Every write answers HTTP 422 with error
/// code 42205 and a message pointing at `schemas/` in the repository, where contracts change.
public struct ContractRegistryRoutes: Sendable {
    /// The registry served.
    public let registry: ContractRegistry
    /// The largest request body read (a schema to look up).
    public var maxBodySize: Int = 1 << 20

    /// Routes over `registry`.
    public init(registry: ContractRegistry) {
        self.registry = registry
    }

    /// The message of every refused write.
    public static let readOnlyMessage = "this schema registry is read-only: it serves the swift-saga contracts, which change only in schemas/ "
        + "of the swift-saga repository (edit schemas/<full name>.avsc, check it with `sagactl schema check`, deploy)"

    /// The routes, for `addRoutes(_:atPath:)` on a router or a group.
    public func collection<Context: RequestContext>(context: Context.Type = BasicRequestContext.self) -> RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        addRoutes(to: routes)
        return routes
    }

    /// Every operation ``addRoutes(to:)`` registers, as method and path template relative to
    /// where the routes are mounted (`{name}` for a parameter, as OpenAPI writes it).
    public static let operations: [(method: HTTPRequest.Method, path: String)] = [
        (.get, "/schemas/ids/{id}"), (.get, "/schemas/ids/{id}/schema"), (.get, "/schemas/ids/{id}/subjects"),
        (.get, "/schemas/ids/{id}/versions"), (.get, "/subjects"), (.get, "/subjects/{subject}/versions"),
        (.get, "/subjects/{subject}/versions/{version}"), (.get, "/subjects/{subject}/versions/{version}/schema"),
        (.post, "/subjects/{subject}"), (.post, "/compatibility/subjects/{subject}/versions/{version}"),
        (.get, "/config"), (.get, "/config/{subject}"), (.get, "/mode"),
        (.post, "/subjects/{subject}/versions"), (.put, "/subjects/{subject}/versions"),
        (.post, "/config"), (.put, "/config"), (.post, "/config/{subject}"), (.put, "/config/{subject}"),
        (.post, "/mode"), (.put, "/mode"), (.post, "/mode/{subject}"), (.put, "/mode/{subject}"),
        (.delete, "/subjects/{subject}"), (.delete, "/subjects/{subject}/versions/{version}"),
        (.delete, "/config/{subject}"), (.delete, "/mode/{subject}"),
    ]

    /// Adds the routes to a router, a group or a collection (`router.group("registry")`).
    public func addRoutes<Routes: RouterMethods>(to routes: Routes) {
        let handler = self
        routes.get("schemas/ids/:id") { _, context in handler.schema(id: context.parameters.get("id"), raw: false) }
        routes.get("schemas/ids/:id/schema") { _, context in handler.schema(id: context.parameters.get("id"), raw: true) }
        routes.get("schemas/ids/:id/subjects") { _, context in handler.subjectsOfSchema(id: context.parameters.get("id")) }
        routes.get("schemas/ids/:id/versions") { _, context in handler.versionsOfSchema(id: context.parameters.get("id")) }
        routes.get("subjects") { _, _ in RegistryJSON.response(.array(handler.registry.subjectNames.map(JSONValue.string))) }
        routes.get("subjects/:subject/versions") { _, context in
            handler.withSubject(context.parameters.get("subject")) { _, _ in RegistryJSON.response(.array([.integer(1)])) }
        }
        routes.get("subjects/:subject/versions/:version") { _, context in
            handler.version(context.parameters.get("subject"), context.parameters.get("version"), raw: false)
        }
        routes.get("subjects/:subject/versions/:version/schema") { _, context in
            handler.version(context.parameters.get("subject"), context.parameters.get("version"), raw: true)
        }
        routes.post("subjects/:subject") { request, context in
            let subject = context.parameters.get("subject")
            return try await handler.lookup(subject: subject, body: request.body.collect(upTo: handler.maxBodySize))
        }
        routes.post("compatibility/subjects/:subject/versions/:version") { request, context in
            let verbose = request.uri.queryParameters.get("verbose")?.lowercased() == "true"
            let body = try await request.body.collect(upTo: handler.maxBodySize)
            return handler.compatibility(subject: context.parameters.get("subject"), version: context.parameters.get("version"), body: body, verbose: verbose)
        }
        routes.get("config") { _, _ in handler.config() }
        routes.get("config/:subject") { _, context in handler.withSubject(context.parameters.get("subject")) { _, _ in handler.config() } }
        routes.get("mode") { _, _ in RegistryJSON.response(.object([("mode", .string("READONLY"))])) }
        for path: RouterPath in ["subjects/:subject/versions", "config", "config/:subject", "mode", "mode/:subject"] {
            routes.post(path) { _, _ in Self.refuseWrite() }
            routes.put(path) { _, _ in Self.refuseWrite() }
        }
        for path: RouterPath in ["subjects/:subject", "subjects/:subject/versions/:version", "config/:subject", "mode/:subject"] {
            routes.delete(path) { _, _ in Self.refuseWrite() }
        }
    }

    static func refuseWrite() -> Response {
        RegistryJSON.error(.unprocessableContent, code: RegistryJSON.ErrorCode.operationNotPermitted, readOnlyMessage)
    }

    func schema(id text: String?, raw: Bool) -> Response {
        guard let text, let id = Int32(text), let entry = registry.entry(id: id) else {
            return RegistryJSON.error(.notFound, code: RegistryJSON.ErrorCode.schemaNotFound, "Schema \(text ?? "") not found")
        }
        if raw { return RegistryJSON.response(entry.schema.json) }
        return RegistryJSON.response(.object([("schema", .string(entry.json))]))
    }

    func subjectsOfSchema(id text: String?) -> Response {
        guard let text, let id = Int32(text), registry.entry(id: id) != nil else {
            return RegistryJSON.error(.notFound, code: RegistryJSON.ErrorCode.schemaNotFound, "Schema \(text ?? "") not found")
        }
        return RegistryJSON.response(.array(registry.subjects(of: id).map(JSONValue.string)))
    }

    func versionsOfSchema(id text: String?) -> Response {
        guard let text, let id = Int32(text), registry.entry(id: id) != nil else {
            return RegistryJSON.error(.notFound, code: RegistryJSON.ErrorCode.schemaNotFound, "Schema \(text ?? "") not found")
        }
        return RegistryJSON.response(.array(registry.subjects(of: id).map { .object([("subject", .string($0)), ("version", .integer(1))]) }))
    }

    /// Runs `body` with the subject's entry, or answers 40401 (explaining shared topics).
    func withSubject(_ raw: String?, _ body: (String, ContractRegistry.Entry) -> Response) -> Response {
        let subject = raw.map { $0.removingPercentEncoding ?? $0 } ?? ""
        guard let entry = registry.entry(subject: subject) else {
            if let shared = registry.sharedTopic(ofValueSubject: subject) {
                return RegistryJSON.error(.notFound, code: RegistryJSON.ErrorCode.subjectNotFound,
                    "Subject '\(subject)' not found: topic \(shared.topic) carries several message types (\(shared.types.joined(separator: ", "))), "
                    + "so its schemas are under RecordNameStrategy (<full name>) or TopicRecordNameStrategy (\(shared.topic)-<full name>) subjects")
            }
            return RegistryJSON.error(.notFound, code: RegistryJSON.ErrorCode.subjectNotFound, "Subject '\(subject)' not found.")
        }
        return body(subject, entry)
    }

    func version(_ subject: String?, _ version: String?, raw: Bool) -> Response {
        withSubject(subject) { subject, entry in
            guard let version, version == "latest" || version == "-1" || Int(version) != nil else {
                return RegistryJSON.error(.unprocessableContent, code: RegistryJSON.ErrorCode.invalidVersion,
                                          "The specified version '\(version ?? "")' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"")
            }
            guard version == "latest" || version == "-1" || version == "1" else {
                return RegistryJSON.error(.notFound, code: RegistryJSON.ErrorCode.versionNotFound, "Version \(version) not found.")
            }
            return raw ? RegistryJSON.response(entry.schema.json) : RegistryJSON.response(RegistryJSON.subjectVersion(subject: subject, entry: entry))
        }
    }

    /// The schema of a lookup or compatibility request body, or the error answer.
    func candidate(_ body: ByteBuffer) -> Result<AvroSchema, RegistryRouteFailure> {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: Array(body.readableBytesView))
        } catch {
            return .failure(.init(RegistryJSON.error(.unprocessableContent, code: RegistryJSON.ErrorCode.invalidSchema, "Invalid request body: \(error)")))
        }
        if let type = json["schemaType"], type != .string("AVRO") {
            return .failure(.init(RegistryJSON.error(.unprocessableContent, code: RegistryJSON.ErrorCode.invalidSchema, "Only AVRO schemas are served here, not \(type.serialized)")))
        }
        if case .array(let references)? = json["references"], !references.isEmpty {
            return .failure(.init(RegistryJSON.error(.unprocessableContent, code: RegistryJSON.ErrorCode.invalidSchema,
                                                     "Schema references are not supported: send the schema with every referenced type expanded")))
        }
        guard case .string(let text)? = json["schema"] else {
            return .failure(.init(RegistryJSON.error(.unprocessableContent, code: RegistryJSON.ErrorCode.invalidSchema, "The request body has no \"schema\" string")))
        }
        do {
            return .success(try AvroSchema(parsing: text))
        } catch {
            return .failure(.init(RegistryJSON.error(.unprocessableContent, code: RegistryJSON.ErrorCode.invalidSchema, "Invalid schema: \(error)")))
        }
    }

    func lookup(subject: String?, body: ByteBuffer) -> Response {
        withSubject(subject) { subject, entry in
            switch candidate(body) {
            case .failure(let failure): return failure.response
            case .success(let schema):
                guard schema.canonicalForm == entry.canonicalForm else {
                    return RegistryJSON.error(.notFound, code: RegistryJSON.ErrorCode.schemaNotFound, "Schema not found under subject '\(subject)'")
                }
                return RegistryJSON.response(RegistryJSON.subjectVersion(subject: subject, entry: entry))
            }
        }
    }

    func compatibility(subject: String?, version: String?, body: ByteBuffer, verbose: Bool) -> Response {
        withSubject(subject) { _, entry in
            guard let version, version == "latest" || version == "-1" || version == "1" else {
                return RegistryJSON.error(.notFound, code: RegistryJSON.ErrorCode.versionNotFound, "Version \(version ?? "") not found.")
            }
            switch candidate(body) {
            case .failure(let failure): return failure.response
            case .success(let schema):
                let report = AvroCompatibility.compare(old: entry.schema, new: schema)
                var members: [(key: String, value: JSONValue)] = [("is_compatible", .bool(report.satisfies(registry.compatibilityLevel)))]
                if verbose {
                    let level = registry.compatibilityLevel
                    let problems = (level == .backward || level == .full ? report.backwardProblems : [])
                        + (level == .forward || level == .full ? report.forwardProblems : [])
                    members.append(("messages", .array(problems.map { .string($0.description) })))
                }
                return RegistryJSON.response(.object(members))
            }
        }
    }

    func config() -> Response {
        RegistryJSON.response(.object([("compatibilityLevel", .string(registry.compatibilityLevel.rawValue.uppercased()))]))
    }
}

/// An error answer computed while reading a request.
struct RegistryRouteFailure: Error {
    var response: Response
    init(_ response: Response) { self.response = response }
}
