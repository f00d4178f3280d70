#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Free TCP ports on the loopback interface, for the broker and each role's HTTP server.
public enum FreePort {
    /// A port nothing listens on right now (bound to port 0 by the kernel, then released).
    /// Another process could take it before it is used: a small race that local runs accept.
    ///
    /// - Throws: ``DevError/noFreePort(reason:)`` if no socket can be bound.
    public static func find() throws(DevError) -> Int { try probe(0) }

    /// Whether `port` on 127.0.0.1 can be bound now (with `SO_REUSEADDR`, as the HTTP server binds).
    public static func isFree(_ port: Int) -> Bool {
        do {
            _ = try probe(port)
            return true
        } catch {
            return false
        }
    }

    /// Binds a socket to `port` (0: the kernel picks), releases it and returns the port bound.
    private static func probe(_ port: Int) throws(DevError) -> Int {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw .noFreePort(reason: "socket() failed, errno \(errno)") }
        defer { close(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw .noFreePort(reason: "bind() failed, errno \(errno)") }
        var actual = sockaddr_in()
        var actualLength = length
        let named = withUnsafeMutablePointer(to: &actual) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        guard named == 0 else { throw .noFreePort(reason: "getsockname() failed, errno \(errno)") }
        return Int(UInt16(bigEndian: actual.sin_port))
    }
}
