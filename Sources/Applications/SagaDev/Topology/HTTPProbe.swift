import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// GET requests to a role's health endpoints.
public enum HTTPProbe {
    /// The status code of `GET url` (with a short timeout), or the error that prevented an answer.
    public static func status(of url: URL, timeout: TimeInterval = 3) async -> Result<Int, any Error> {
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        do {
            let (_, response) = try await URLSession.shared.data(for: request)
            guard let http = response as? HTTPURLResponse else { return .failure(URLError(.badServerResponse)) }
            return .success(http.statusCode)
        } catch {
            return .failure(error)
        }
    }
}
