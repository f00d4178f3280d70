import CRdKafka

/// The librdkafka library this process loaded at run time.
///
/// This may differ from the headers the package was compiled against: the package
/// compiles against the system's headers and loads a newer, ABI-compatible build.
public enum LibrdkafkaVersion {
    /// The version string of the loaded library, e.g. `"2.16.0"`.
    public static var string: String { String(cString: rd_kafka_version_str()) }

    /// The version of the loaded library as librdkafka's hex integer (`0xMMmmrrxx`).
    public static var number: Int { Int(rd_kafka_version()) }

    /// The version of the headers this package was compiled against.
    public static var compiledAgainst: Int { Int(RD_KAFKA_VERSION) }
}
