import CRdKafka

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One problem librdkafka reported: an error callback (`code` set) or a warning/error log line.
struct RdDiagnostic: Sendable, Hashable {
    /// The `rd_kafka_resp_err_t` of an error callback; `nil` for a log line.
    var code: Int32?
    /// librdkafka's text, e.g. `"ssl://127.0.0.1:9092/bootstrap: SSL handshake failed: …"`.
    var text: String
}

/// The blocking connectivity check behind ``KafkaAdmin/checkConnectivity(_:timeout:logger:)``:
/// asks for cluster metadata in short rounds and, between rounds, reads what librdkafka
/// reported, so that a misconfiguration ends the check at once instead of at the deadline.
enum ConnectivityProbe {
    /// How long one metadata round waits before the reported problems are looked at.
    static let roundMilliseconds: Int32 = 250

    /// Runs the check on the calling thread (which may block) until the cluster answers, a
    /// definitive problem (TLS, authentication) is reported, or `timeoutMilliseconds` passed.
    static func run(
        _ client: RdClient, bootstrapServers: [String], timeoutMilliseconds: Int64
    ) -> Result<KafkaClusterInfo, KafkaError> {
        let start = monotonicMilliseconds()
        while true {
            let elapsed = monotonicMilliseconds() - start
            let remaining = timeoutMilliseconds - elapsed
            if remaining <= 0 { break }
            var metadata: UnsafePointer<rd_kafka_metadata_t>? = nil
            let err = rd_kafka_metadata(client.handle, 0, nil, &metadata, Int32(min(remaining, Int64(roundMilliseconds))))
            if err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata {
                defer { rd_kafka_metadata_destroy(metadata) }
                return .success(clusterInfo(metadata.pointee, elapsedMilliseconds: monotonicMilliseconds() - start))
            }
            _ = rd_kafka_poll(client.handle, 0)  // serves the error callback, which records
            if let failure = ConnectivityDiagnosis(client.diagnostics, bootstrapServers: bootstrapServers), failure.isDefinitive {
                return .failure(failure.error)
            }
        }
        _ = rd_kafka_poll(client.handle, 0)
        let seconds = Double(timeoutMilliseconds) / 1000
        if let failure = ConnectivityDiagnosis(client.diagnostics, bootstrapServers: bootstrapServers) {
            var error = failure.error
            error.message += " (no answer within \(seconds) s)"
            return .failure(error)
        }
        return .failure(KafkaError(
            code: .timedOut,
            message: "no answer from \(bootstrapServers.joined(separator: ",")) within \(seconds) s and no error reported: "
                + "check that the address is a Kafka listener and reachable from here",
            operation: "check connectivity", isRetriable: true))
    }

    private static func clusterInfo(_ metadata: rd_kafka_metadata_t, elapsedMilliseconds: Int64) -> KafkaClusterInfo {
        let brokers = (0..<Int(metadata.broker_cnt)).map { index in
            let broker = metadata.brokers[index]
            return KafkaBrokerInfo(id: broker.id, host: String(cString: broker.host), port: Int(broker.port))
        }
        return KafkaClusterInfo(
            brokers: brokers.sorted { $0.id < $1.id },
            answeredBy: metadata.orig_broker_name.map { String(cString: $0) } ?? "",
            roundTrip: .milliseconds(elapsedMilliseconds))
    }

    private static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
