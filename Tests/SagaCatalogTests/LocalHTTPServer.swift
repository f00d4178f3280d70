import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 for the webhook tests: answers every request with
/// `status` and keeps the raw requests. One accept thread; blocking sockets.
///
/// `@unchecked Sendable`: `requests` is only touched under `lock`; the other stored properties
/// are immutable after `init`.
final class LocalHTTPServer: @unchecked Sendable {
    struct SocketError: Error, CustomStringConvertible {
        var call: String
        var description: String { "\(call) failed: errno \(errno)" }
    }

    let port: Int
    private let socketFD: Int32
    private let status: Int
    private let lock = NSLock()
    private var requests: [String] = []

    init(status: Int) throws {
        self.status = status
        socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw SocketError(call: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = socketFD
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 16) == 0 else {
            Glibc.close(fd)
            throw SocketError(call: "bind/listen")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Stops listening (the accept thread ends).
    func close() {
        shutdown(socketFD, Int32(SHUT_RDWR))
        Glibc.close(socketFD)
    }

    /// The first request received, waiting up to five seconds for it.
    func firstRequest() async -> String? {
        for _ in 0..<100 {
            if let first = lock.withLock({ requests.first }) { return first }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    private func acceptLoop() {
        while true {
            let client = accept(socketFD, nil, nil)
            if client < 0 { return }
            serve(client)
        }
    }

    private func serve(_ client: Int32) {
        defer { Glibc.close(client) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(client, $0.baseAddress, 4096) }
            if count <= 0 { break }
            received += buffer[0..<count]
            let text = String(decoding: received, as: UTF8.self)
            guard let headerEnd = text.range(of: "\r\n\r\n") else { continue }
            let headers = text[..<headerEnd.lowerBound].lowercased()
            let length = headers.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if text.utf8.count - text.utf8.distance(from: text.startIndex, to: headerEnd.upperBound) >= length { break }
        }
        lock.withLock { requests.append(String(decoding: received, as: UTF8.self)) }
        let response = "HTTP/1.1 \(status) Test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        _ = Array(response.utf8).withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
    }
}
