import Foundation
import Kafka
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The startup connectivity check against the test broker (plaintext, no SASL) and an unused port.
@Suite("Connectivity check")
struct ConnectivityTests {
    @Test func reachableBrokerAnswersWithItsBrokers() async throws {
        let config = try TestBroker.configuration()
        let cluster = try await KafkaAdmin.checkConnectivity(config, timeout: .seconds(20), logger: TestBroker.logger)
        #expect(!cluster.brokers.isEmpty)
        #expect(cluster.brokers.map(\.address).contains(config.bootstrapServers[0]), "\(cluster.brokers)")
    }

    @Test func tlsAgainstThePlaintextListenerFailsFastNamingTheBroker() async throws {
        var config = try TestBroker.configuration()
        config.securityProtocol = .ssl
        let started = ContinuousClock.now
        let error = try await #require(throws: KafkaError.self) {
            try await KafkaAdmin.checkConnectivity(config, timeout: .seconds(30), logger: TestBroker.logger)
        }
        #expect(error.code == .ssl, "\(error)")
        #expect(error.operation == "check connectivity")
        #expect(error.message.contains("TLS handshake failed against \(config.bootstrapServers[0])"), "\(error.message)")
        #expect(error.message.contains("the listener may be plaintext"), "\(error.message)")
        // Ended by the handshake timeout (a third of the check's timeout), not by its deadline.
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func saslAgainstABrokerWithoutSASLFailsAsAuthentication() async throws {
        var config = try TestBroker.configuration()
        config.securityProtocol = .saslPlaintext
        config.sasl = .init(mechanism: "PLAIN", username: "ops", password: "hunter2-not-printed")
        let error = try await #require(throws: KafkaError.self) {
            try await KafkaAdmin.checkConnectivity(config, timeout: .seconds(20), logger: TestBroker.logger)
        }
        #expect(error.code == .authentication, "\(error)")
        #expect(error.message.contains("SASL authentication failed against \(config.bootstrapServers[0])"), "\(error.message)")
        #expect(!error.message.contains("hunter2-not-printed"))
    }

    @Test func downBrokerFailsAtTheTimeoutNamingIt() async throws {
        let address = "127.0.0.1:\(try unusedPort())"
        let config = KafkaConfiguration(bootstrapServers: [address])
        let error = try await #require(throws: KafkaError.self) {
            try await KafkaAdmin.checkConnectivity(config, timeout: .seconds(2), logger: TestBroker.logger)
        }
        #expect(error.code == .transport, "\(error)")
        #expect(error.message.contains("cannot reach broker \(address): connection refused"), "\(error.message)")
        #expect(error.isRetriable)
    }

    @Test func invalidConfigurationFailsBeforeConnecting() async throws {
        var config = try TestBroker.configuration()
        config.securityProtocol = .ssl
        config.tls = .init(caLocation: "/nonexistent/ca.pem")
        let error = try await #require(throws: KafkaError.self) {
            try await KafkaAdmin.checkConnectivity(config, timeout: .seconds(5), logger: TestBroker.logger)
        }
        #expect(error.operation == "configure" && error.property == "ssl.ca.location")
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound once by the kernel's choice, then released).
func unusedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0, "socket() failed")
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    try #require(bound == 0, "bind() failed")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
