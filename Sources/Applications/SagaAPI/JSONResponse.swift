import Avro
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON bodies as Hummingbird responses.
public enum JSONResponse {
    /// The media type of JSON bodies.
    public static let contentType = "application/json"

    /// A response with `json` serialized as its body; `Content-Type` is `application/json` unless `headers` set one.
    public static func make(status: HTTPResponse.Status, json: JSONValue, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        if headers[.contentType] == nil { headers[.contentType] = contentType }
        let text = json.serialized
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
