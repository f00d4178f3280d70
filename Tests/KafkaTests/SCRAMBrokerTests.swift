import Foundation
import Kafka
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A private Tansu broker started with `--authentication` (SASL/SCRAM required), stopped on deinit.
///
/// Tansu (0.6) keeps SCRAM users in its storage and creating one needs an authenticated
/// connection, so a memory-only broker with authentication has no user: these tests can show a
/// real SCRAM exchange being rejected, not a successful login.
final class AuthenticatingTansu {
    static let binary = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".deps/bin/tansu").path

    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    let address: String
    private let process = Process()

    init() throws {
        let port = try unusedPort()
        address = "127.0.0.1:\(port)"
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "broker", "--authentication", "--listener-url", "tcp://\(address)", "--advertised-listener-url", "tcp://\(address)",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<600 {
            if Self.accepts(port: port) { return }
            usleep(100_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "Tansu did not listen on \(address) within 60 s"])
    }

    deinit {
        // Tansu finishes in-flight work on SIGTERM and may take seconds; its memory state is of no use.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

@Suite("SCRAM against a broker that requires authentication")
struct SCRAMBrokerTests {
    @Test(.enabled(if: AuthenticatingTansu.isInstalled, "no Tansu at .deps/bin/tansu: run ./scripts/setup"),
          arguments: ["SCRAM-SHA-256", "SCRAM-SHA-512"])
    func unknownUserIsRejectedAsAuthentication(_ mechanism: String) async throws {
        let broker = try AuthenticatingTansu()
        let config = try KafkaConfiguration.fromEnvironment([
            "KAFKA_BOOTSTRAP_SERVERS": broker.address, "KAFKA_SECURITY_PROTOCOL": "sasl_plaintext",
            "KAFKA_SASL_MECHANISM": mechanism, "KAFKA_SASL_USERNAME": "nobody", "KAFKA_SASL_PASSWORD": "scram-secret-value",
        ], clientID: "scram-test")
        let error = try await #require(throws: KafkaError.self) {
            try await KafkaAdmin.checkConnectivity(config, timeout: .seconds(10), logger: TestBroker.logger)
        }
        #expect(error.code == .authentication, "\(error)")
        #expect(error.message.contains("SASL authentication failed against \(broker.address)"), "\(error.message)")
        #expect(error.message.contains("rejected the credentials"), "\(error.message)")
        #expect(!error.message.contains("scram-secret-value"))
    }

    @Test(.enabled(if: AuthenticatingTansu.isInstalled, "no Tansu at .deps/bin/tansu: run ./scripts/setup"))
    func plaintextClientIsRefusedByTheAuthenticatingBroker() async throws {
        let broker = try AuthenticatingTansu()
        let config = KafkaConfiguration(bootstrapServers: [broker.address])
        let error = try await #require(throws: KafkaError.self) {
            try await KafkaAdmin.checkConnectivity(config, timeout: .seconds(3), logger: TestBroker.logger)
        }
        // Tansu closes the connection of an unauthenticated request: librdkafka sees a transport failure.
        #expect(error.operation == "check connectivity", "\(error)")
        #expect(error.message.contains(broker.address), "\(error.message)")
    }
}
