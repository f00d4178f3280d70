import Kafka
import Logging

/// Kafka clients made the way every sagactl command wants them: librdkafka's log lines only
/// from warnings up (`-v`-style chatter would mix with the command's output on stderr).
enum KafkaClients {
    /// The logger handed to clients: `error` and above unless `SAGACTL_LOG_LEVEL` says otherwise.
    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = ProcessInfoEnvironment.value("SAGACTL_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }

    /// A producer for `configuration`; its creation error becomes a ``CLIError``.
    static func producer(_ configuration: KafkaConfiguration) throws -> KafkaProducer {
        do {
            return try KafkaProducer(configuration: configuration, logger: logger("sagactl.producer"))
        } catch {
            throw CLIError.input("cannot create a Kafka producer: \(error)")
        }
    }
}

import Foundation

/// Reads the process environment.
enum ProcessInfoEnvironment {
    /// The variable `name`, if set.
    static func value(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }
}
