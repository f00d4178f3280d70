import Avro
import HTTPTypes
import Hummingbird
import NIOCore

/// Reads a request's JSON body, turning every way it can be wrong into a ``Problem``.
public enum JSONRequestBody {
    /// The largest body accepted (1 MiB).
    public static let maximumSize = 1 << 20

    /// The body parsed as JSON. A body that is not JSON (by `Content-Type`) is a 415, one over
    /// ``maximumSize`` a 413, an empty or malformed one a 400 naming the field `body`.
    public static func json(_ request: Request) async throws(Problem) -> JSONValue {
        if let type = request.headers[.contentType], !isJSON(type) {
            throw Problem(.unsupportedMediaType, detail: "the body must be application/json, not \(type)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumSize)
        } catch is NIOTooManyBytesError {
            throw Problem(.bodyTooLarge, detail: "the body is larger than \(maximumSize) bytes")
        } catch {
            throw Problem(.invalidRequest, detail: "the body could not be read: \(error)")
        }
        let bytes = Array(buffer.readableBytesView)
        guard !bytes.isEmpty else { throw Problem.invalid([FieldError(field: "body", message: "a JSON object is required")]) }
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            throw Problem.invalid([FieldError(field: "body", message: "malformed JSON: \(error)")])
        }
    }

    /// Whether a `Content-Type` names JSON (`application/json`, `application/*+json`, any parameters).
    static func isJSON(_ contentType: String) -> Bool {
        let media = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json"))
    }
}
