import AsyncHTTPClient
import Avro
import Foundation
import NIOCore
import NIOHTTP1

extension SchemaRegistryClient {
    /// Sends a request and returns the JSON of a 2xx answer. Any other answer becomes an error:
    /// `classify` names the definite kinds of its operation (unknown id, subject not found) from
    /// the HTTP status, Confluent's `error_code` and `message`; otherwise 5xx and 429 are
    /// ``SchemaRegistryError/Kind/unavailable(_:)`` and other statuses ``SchemaRegistryError/Kind/rejected(status:errorCode:message:)``.
    func send(
        _ method: HTTPMethod, _ path: String, body: JSONValue? = nil, operation: String,
        classify: (Int, Int?, String) -> SchemaRegistryError.Kind?
    ) async throws(SchemaRegistryError) -> JSONValue {
        func failure(_ kind: SchemaRegistryError.Kind) -> SchemaRegistryError {
            SchemaRegistryError(kind, operation: operation, registry: configuration.baseURL)
        }
        var request = HTTPClientRequest(url: configuration.baseURL + path)
        request.method = method
        request.headers.add(name: "Accept", value: "\(RegistryJSON.contentType), application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5")
        if let authorization = configuration.credentials.authorizationHeader {
            request.headers.add(name: "Authorization", value: authorization)
        }
        if let body {
            request.headers.add(name: "Content-Type", value: RegistryJSON.contentType)
            request.body = .bytes(ByteBuffer(string: body.serialized))
        }
        let status: Int
        let bytes: ByteBuffer
        do {
            let timeout = TimeAmount.nanoseconds(Int64(configuration.requestTimeout.components.seconds) * 1_000_000_000
                                                 + configuration.requestTimeout.components.attoseconds / 1_000_000_000)
            let response = try await http.execute(request, timeout: timeout, logger: logger)
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: Self.maxResponseSize)
        } catch {
            // Transport errors name the host and port at most, never a header.
            throw failure(.unavailable(Self.describe(error)))
        }
        let json = try? JSONValue(parsing: Array(bytes.readableBytesView))
        if (200..<300).contains(status) {
            guard let json else {
                throw failure(.invalidResponse("HTTP \(status) with a body that is not JSON (\(bytes.readableBytes) bytes)"))
            }
            return json
        }
        var code: Int?
        if case .integer(let value)? = json?["error_code"] { code = Int(value) }
        var message = ""
        if case .string(let text)? = json?["message"] { message = text }
        if let kind = classify(status, code, message) { throw failure(kind) }
        if status >= 500 || status == 429 {
            throw failure(.unavailable("HTTP \(status)\(code.map { " (error code \($0))" } ?? "")\(message.isEmpty ? "" : ": " + message)"))
        }
        throw failure(.rejected(status: status, errorCode: code, message: message.isEmpty ? "no message" : message))
    }

    /// A transport error as text.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connection timed out"
            case .deadlineExceeded: return "request timed out"
            case .remoteConnectionClosed: return "the registry closed the connection"
            default: return "\(error)"
            }
        }
        return "\(error)"
    }

    /// `subject` as one path segment.
    static func escape(_ segment: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }

    /// The body of a register, lookup or compatibility request.
    static func schemaRequest(_ schema: AvroSchema) -> JSONValue {
        .object([("schemaType", .string("AVRO")), ("schema", .string(schema.jsonText))])
    }

    /// The schema of an answer's `schema` string (an Avro schema without references).
    func parseSchema(in json: JSONValue, operation: String) throws(SchemaRegistryError) -> AvroSchema {
        func invalid(_ reason: String) -> SchemaRegistryError {
            SchemaRegistryError(.invalidResponse(reason), operation: operation, registry: configuration.baseURL)
        }
        if let type = json["schemaType"], type != .string("AVRO") {
            throw invalid("the schema is of type \(type.serialized), not AVRO")
        }
        if case .array(let references)? = json["references"], !references.isEmpty {
            throw invalid("the schema has references to other subjects, which this client does not resolve yet")
        }
        guard case .string(let text)? = json["schema"] else { throw invalid("no schema string in the answer") }
        do {
            return try AvroSchema(parsing: text)
        } catch {
            throw invalid("the registry's schema does not parse: \(error)")
        }
    }

    /// A `{"subject", "id", "version", "schema"}` answer.
    func registered(_ json: JSONValue, subject: String, operation: String) throws(SchemaRegistryError) -> RegisteredSchema {
        guard case .integer(let id)? = json["id"], let id32 = Int32(exactly: id), case .integer(let version)? = json["version"] else {
            throw SchemaRegistryError(.invalidResponse("no id or version in \(json.serialized)"), operation: operation, registry: configuration.baseURL)
        }
        let schema = try parseSchema(in: json, operation: operation)
        cache.store(schema, id: id32)
        var name = subject
        if case .string(let answered)? = json["subject"] { name = answered }
        return RegisteredSchema(subject: name, id: id32, version: Int(version), schema: schema)
    }
}
