import Avro
import HTTPTypes
import Hummingbird
import NIOCore

/// Confluent's REST JSON: the content type, the error codes and the bodies, shared by the
/// routes (which write them) and the client (which reads them).
public enum RegistryJSON {
    /// The content type of every answer, `application/vnd.schemaregistry.v1+json`.
    public static let contentType = "application/vnd.schemaregistry.v1+json"

    /// Confluent's error codes.
    public enum ErrorCode {
        /// Subject not found.
        public static let subjectNotFound = 40401
        /// Version not found.
        public static let versionNotFound = 40402
        /// Schema not found (by id, or a lookup under a subject).
        public static let schemaNotFound = 40403
        /// Incompatible schema (with HTTP 409).
        public static let incompatibleSchema = 409
        /// Invalid schema.
        public static let invalidSchema = 42201
        /// Invalid version.
        public static let invalidVersion = 42202
        /// Operation not permitted (a write on a read-only registry).
        public static let operationNotPermitted = 42205
    }

    /// `{"subject":…,"id":…,"version":…,"schema":…}`, a subject's version or a lookup's answer.
    static func subjectVersion(subject: String, entry: ContractRegistry.Entry) -> JSONValue {
        .object([
            ("subject", .string(subject)), ("version", .integer(1)), ("id", .integer(Int64(entry.id))),
            ("schema", .string(entry.json)),
        ])
    }

    /// A response with a JSON body and Confluent's content type.
    static func response(_ json: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: json.serialized)))
    }

    /// A Confluent error answer, `{"error_code": code, "message": message}`.
    static func error(_ status: HTTPResponse.Status, code: Int, _ message: String) -> Response {
        response(.object([("error_code", .integer(Int64(code))), ("message", .string(message))]), status: status)
    }
}
