import Avro
import HTTPTypes
import Hummingbird

/// An RFC 9457 problem: the body of every 4xx and 5xx response of the API
/// (`application/problem+json`), thrown by handlers and capabilities alike.
public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The media type of problem bodies.
    public static let contentType = "application/problem+json"

    /// The problem type, a URI (see ``Kind``).
    public var type: String
    /// A short summary of the problem type.
    public var title: String
    /// The HTTP status code.
    public var status: Int
    /// What went wrong with this request.
    public var detail: String
    /// The request fields at fault, if any (`items[0].quantity`).
    public var errors: [FieldError]
    /// Other members (e.g. `upstream`, `checks`), kept in order; also members an upstream
    /// problem carried that this type does not model, so forwarding loses nothing.
    public var extensions: [ExtensionMember]

    /// One extension member of a problem.
    public struct ExtensionMember: Sendable, Hashable {
        /// The member name.
        public var name: String
        /// Its value.
        public var value: JSONValue

        /// Creates a member.
        public init(_ name: String, _ value: JSONValue) {
            self.name = name
            self.value = value
        }
    }

    /// Creates a problem of `kind` (its type, title and default status) saying `detail`.
    public init(_ kind: Kind, detail: String, status: HTTPResponse.Status? = nil, errors: [FieldError] = [], extensions: [ExtensionMember] = []) {
        self.type = kind.type
        self.title = kind.title
        self.status = (status ?? kind.status).code
        self.detail = detail
        self.errors = errors
        self.extensions = extensions
    }

    /// Creates a problem from its members as they are.
    public init(type: String, title: String, status: Int, detail: String, errors: [FieldError] = [], extensions: [ExtensionMember] = []) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
        self.extensions = extensions
    }

    /// The problem as a JSON object (`type`, `title`, `status`, `detail`, `errors` when any, then extensions).
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("type", .string(type)), ("title", .string(title)), ("status", .integer(Int64(status))), ("detail", .string(detail)),
        ]
        if !errors.isEmpty { members.append(("errors", .array(errors.map(\.json)))) }
        for member in extensions where !["type", "title", "status", "detail", "errors"].contains(member.name) {
            members.append((member.name, member.value))
        }
        return .object(members)
    }

    /// The problem as a JSON object read back (e.g. from an upstream's body); nil when `json` is
    /// not an object with a valid `status` and `title`.
    public init?(json: JSONValue) {
        guard case .object(let members) = json, case .integer(let status)? = json["status"], (100...599).contains(status),
            case .string(let title)? = json["title"]
        else { return nil }
        var errors: [FieldError] = []
        if case .array(let items)? = json["errors"] {
            for item in items {
                if case .string(let field)? = item["field"], case .string(let message)? = item["message"] {
                    errors.append(FieldError(field: field, message: message))
                }
            }
        }
        let known: Set = ["type", "title", "status", "detail", "errors"]
        self.init(
            type: json["type"].flatMap { if case .string(let text) = $0 { text } else { nil } } ?? "about:blank",
            title: title, status: Int(status),
            detail: json["detail"].flatMap { if case .string(let text) = $0 { text } else { nil } } ?? "",
            errors: errors,
            extensions: members.filter { !known.contains($0.key) }.map { ExtensionMember($0.key, $0.value) }
        )
    }

    /// The response: this problem with its status and `application/problem+json`.
    public func response(headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = Self.contentType
        return JSONResponse.make(status: HTTPResponse.Status(code: status), json: json, headers: headers)
    }

    /// `status title: detail` and the fields at fault.
    public var description: String {
        "\(status) \(title): \(detail)" + (errors.isEmpty ? "" : " [" + errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ") + "]")
    }
}

/// A request field that is missing or wrong, named by its path in the body (`items[0].quantity`)
/// or, for headers and query parameters, by their name.
public struct FieldError: Sendable, Hashable {
    /// The field's path.
    public var field: String
    /// What is wrong with it.
    public var message: String

    /// Creates a field error.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    var json: JSONValue { .object([("field", .string(field)), ("message", .string(message))]) }
}

extension Problem {
    /// The problem types of the API (documented in `docs/openapi.yaml`).
    public enum Kind: String, Sendable, CaseIterable {
        /// 400: the body, a header or a query parameter is malformed or invalid (`errors` names them).
        case invalidRequest = "invalid-request"
        /// 401: no bearer token, a malformed one, or one that is not configured (`WWW-Authenticate` says which).
        case unauthorized = "unauthorized"
        /// 403: the token's role does not allow this route (`role`, `requiredRoles`).
        case forbidden = "forbidden"
        /// 404: no such saga.
        case notFound = "not-found"
        /// 404: no such route (method and path).
        case noRoute = "no-route"
        /// 405: the route exists with other methods.
        case methodNotAllowed = "method-not-allowed"
        /// 409: retry or resolve of a saga that is not parked (`state` says where it stands).
        case sagaNotParked = "saga-not-parked"
        /// 413: the body is too large.
        case bodyTooLarge = "body-too-large"
        /// 415: the body is not JSON.
        case unsupportedMediaType = "unsupported-media-type"
        /// 422: an idempotency key was reused with a different request.
        case idempotencyKeyReused = "idempotency-key-reused"
        /// 422: an edited dead-letter value does not fit the letter's schema (`errors` names the field).
        case valueDoesNotFitSchema = "value-does-not-fit-schema"
        /// 502/503/504: an upstream service (order, orchestrator) failed or is unreachable (`upstream` names it).
        case upstreamUnavailable = "upstream-unavailable"
        /// 503: the Kafka broker did not acknowledge the start event.
        case brokerUnavailable = "broker-unavailable"
        /// 503: a readiness check failed (`checks` lists them).
        case notReady = "not-ready"
        /// 500: an unexpected failure (a store error…); `detail` says what failed.
        case internalError = "internal-error"

        /// The problem type URI.
        public var type: String { "urn:swift-saga:problem:" + rawValue }

        /// The summary.
        public var title: String {
            switch self {
            case .invalidRequest: "Invalid request"
            case .unauthorized: "Unauthorized"
            case .forbidden: "Forbidden"
            case .notFound: "Not found"
            case .noRoute: "No such route"
            case .methodNotAllowed: "Method not allowed"
            case .sagaNotParked: "Saga not parked"
            case .bodyTooLarge: "Request body too large"
            case .unsupportedMediaType: "Unsupported media type"
            case .idempotencyKeyReused: "Idempotency key reused with a different request"
            case .valueDoesNotFitSchema: "Value does not fit the schema"
            case .upstreamUnavailable: "Upstream service unavailable"
            case .brokerUnavailable: "Message broker unavailable"
            case .notReady: "Not ready"
            case .internalError: "Internal error"
            }
        }

        /// The default status.
        public var status: HTTPResponse.Status {
            switch self {
            case .invalidRequest: .badRequest
            case .unauthorized: .unauthorized
            case .forbidden: .forbidden
            case .notFound, .noRoute: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .sagaNotParked: .conflict
            case .bodyTooLarge: .contentTooLarge
            case .unsupportedMediaType: .unsupportedMediaType
            case .idempotencyKeyReused, .valueDoesNotFitSchema: .unprocessableContent
            case .upstreamUnavailable: .badGateway
            case .brokerUnavailable, .notReady: .serviceUnavailable
            case .internalError: .internalServerError
            }
        }
    }

    /// A 400 naming the fields at fault.
    public static func invalid(_ errors: [FieldError], detail: String? = nil) -> Problem {
        Problem(.invalidRequest,
            detail: detail ?? (errors.count == 1 ? "\(errors[0].field): \(errors[0].message)" : "\(errors.count) fields are invalid"),
            errors: errors)
    }
}
