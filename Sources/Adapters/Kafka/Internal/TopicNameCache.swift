#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CRdKafka

/// Topic names of librdkafka topic handles without a String allocation per message: the
/// last name is reused while messages keep coming from the same topic (checked by content).
///
/// `@unchecked Sendable`: each instance is used by one thread only: its client's event thread.
final class TopicNameCache: @unchecked Sendable {
    @exclusivity(unchecked) private var last: String?

    func name(of rkt: OpaquePointer?) -> String {
        guard let rkt, let name = rd_kafka_topic_name(rkt) else { return "" }
        if let last, last.withCString({ strcmp($0, name) }) == 0 { return last }
        let topic = String(cString: name)
        last = topic
        return topic
    }
}
