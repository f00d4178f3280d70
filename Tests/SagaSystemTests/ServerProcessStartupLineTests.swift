import Testing

/// ``ServerProcess/listeningPort(in:)``: the port comes from saga-server's own startup line,
/// whole, never from Hummingbird's line logged just before it nor from a line still being written.
struct ServerProcessStartupLineTests {
    static let hummingbird = "2026-12-06T20:35:03+0000 info saga-server: role=all [HummingbirdCore] Server started and listening on 127.0.0.1:42307\n"
    static let startup = "2026-12-06T20:35:03+0000 info saga-server: host=127.0.0.1 port=42307 role=all [saga_server] saga-server started, listening on 127.0.0.1:42307\n"

    @Test func hummingbirdsLineAloneIsNotTheStartup() {
        #expect(ServerProcess.listeningPort(in: Self.hummingbird) == nil)
    }

    @Test func theStartupLineGivesThePort() {
        #expect(ServerProcess.listeningPort(in: Self.hummingbird + Self.startup) == 42307)
        let json = #"{"message":"saga-server started, listening on 127.0.0.1:8080","level":"info"}"# + "\n"
        #expect(ServerProcess.listeningPort(in: json) == 8080)
    }

    @Test func aLineCaughtWhileBeingWrittenGivesNoPortYet() {
        let cut = Self.hummingbird + Self.startup.prefix(while: { $0 != "\n" }).dropLast(2)
        #expect(ServerProcess.listeningPort(in: String(cut)) == nil)
    }
}
