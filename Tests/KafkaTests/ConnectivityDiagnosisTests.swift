@testable import Kafka
import Testing

/// The wording of diagnoses for librdkafka lines the real-broker tests cannot provoke here
/// (no TLS listener, no DNS failure on demand). The lines are librdkafka's own formats.
@Suite("Connectivity diagnosis")
struct ConnectivityDiagnosisTests {
    @Test func untrustedCertificateNamesTheCASetting() throws {
        let diagnosis = try #require(ConnectivityDiagnosis([RdDiagnostic(code: nil, text:
            "[thrd:ssl://kafka-1.example:9093/bootstrap]: ssl://kafka-1.example:9093/bootstrap: SSL handshake failed: "
            + "error:0A000086:SSL routines::certificate verify failed: broker certificate could not be verified (after 12ms in state SSL_HANDSHAKE)")],
            bootstrapServers: ["kafka-1.example:9093"]))
        #expect(diagnosis.isDefinitive)
        #expect(diagnosis.error.code == .ssl)
        #expect(diagnosis.error.message.hasPrefix("TLS handshake failed against kafka-1.example:9093: the broker's certificate is not trusted"))
        #expect(diagnosis.error.message.contains("KAFKA_SSL_CA_LOCATION"))
    }

    @Test func plaintextClientAgainstATLSListenerSaysSo() throws {
        let diagnosis = try #require(ConnectivityDiagnosis([RdDiagnostic(code: KafkaError.Code.transport.rawValue, text:
            "127.0.0.1:9093/bootstrap: Disconnected while requesting ApiVersion: might be caused by incorrect security.protocol "
            + "configuration (connecting to a SSL listener?) or broker version is < 0.10 (see api.version.request) (after 2ms in state APIVERSION_QUERY)")],
            bootstrapServers: ["127.0.0.1:9093"]))
        #expect(diagnosis.error.code == .ssl)
        #expect(diagnosis.error.message.contains("the listener expects TLS: set KAFKA_SECURITY_PROTOCOL to ssl or sasl_ssl"))
    }

    @Test func unresolvableHostIsRetriableAndNamed() throws {
        let diagnosis = try #require(ConnectivityDiagnosis([RdDiagnostic(code: KafkaError.Code.resolve.rawValue, text:
            "no-such-host.invalid:9092/bootstrap: Failed to resolve 'no-such-host.invalid:9092': Name or service not known (after 3ms in state CONNECT)")],
            bootstrapServers: ["no-such-host.invalid:9092"]))
        #expect(!diagnosis.isDefinitive && diagnosis.error.isRetriable)
        #expect(diagnosis.error.code == .resolve)
        #expect(diagnosis.error.message.hasPrefix("cannot reach broker no-such-host.invalid:9092: its host name does not resolve"))
    }

    @Test func unrelatedLinesGiveNoDiagnosis() {
        #expect(ConnectivityDiagnosis([RdDiagnostic(code: nil, text: "1/1 brokers are down")], bootstrapServers: ["b:9092"]) == nil)
        #expect(ConnectivityDiagnosis([], bootstrapServers: ["b:9092"]) == nil)
    }
}
