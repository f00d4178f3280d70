import Foundation
import Logging
import SagaCore

/// How log lines are written.
public enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line (``JSONLogHandler``): for log collectors.
    case json
    /// swift-log's plain text lines on standard output: for people.
    case text
}

/// A setting of the observability bootstrap has a value it does not accept.
public struct ObservabilitySettingError: Error, Hashable, CustomStringConvertible {
    /// The environment variable (or flag) concerned.
    public var setting: String
    /// The value given.
    public var value: String
    /// The values accepted.
    public var allowed: [String]

    /// A readable description.
    public var description: String {
        "\(setting)='\(value)' is not valid; use one of: \(allowed.joined(separator: ", "))"
    }
}

/// Sets up swift-log for a server process, once, before any logger is made.
///
/// ```swift
/// try LoggingBootstrap.bootstrap(environment: ProcessInfo.processInfo.environment)  // SAGA_LOG_FORMAT, SAGA_LOG_LEVEL
/// ```
public enum LoggingBootstrap {
    /// The variable choosing the format (`json`, the default, or `text`).
    public static let formatVariable = "SAGA_LOG_FORMAT"
    /// The variable choosing the minimum level (`info` by default).
    public static let levelVariable = "SAGA_LOG_LEVEL"

    /// Bootstraps the logging system with `format` at `level`. The default metadata provider
    /// adds the ids of the message being processed (``SagaLogContext``) to every line.
    public static func bootstrap(
        format: LogFormat, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = SagaLogContext.metadataProvider
    ) {
        LoggingSystem.bootstrap({ label, provider in
            makeHandler(label: label, format: format, level: level, metadataProvider: provider)
        }, metadataProvider: metadataProvider)
    }

    /// Bootstraps from `SAGA_LOG_FORMAT` and `SAGA_LOG_LEVEL` in `environment`.
    /// - Throws: ``ObservabilitySettingError`` for an unknown format or level (nothing is bootstrapped then).
    public static func bootstrap(environment: [String: String]) throws(ObservabilitySettingError) {
        let (format, level) = try settings(environment)
        bootstrap(format: format, level: level)
    }

    /// The format and level `environment` asks for (defaults: `json`, `info`).
    public static func settings(_ environment: [String: String]) throws(ObservabilitySettingError) -> (LogFormat, Logger.Level) {
        let formatText = environment[formatVariable].flatMap { $0.isEmpty ? nil : $0.lowercased() } ?? LogFormat.json.rawValue
        guard let format = LogFormat(rawValue: formatText) else {
            throw ObservabilitySettingError(setting: formatVariable, value: formatText, allowed: LogFormat.allCases.map(\.rawValue))
        }
        let levelText = environment[levelVariable].flatMap { $0.isEmpty ? nil : $0.lowercased() } ?? Logger.Level.info.rawValue
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ObservabilitySettingError(setting: levelVariable, value: levelText, allowed: Logger.Level.allCases.map(\.rawValue))
        }
        return (format, level)
    }

    /// A handler of `format` at `level` (for ``bootstrap(format:level:metadataProvider:)`` or a test's own logger).
    public static func makeHandler(
        label: String, format: LogFormat, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil
    ) -> any LogHandler {
        switch format {
        case .json:
            return JSONLogHandler(label: label, level: level, metadataProvider: metadataProvider)
        case .text:
            var handler = StreamLogHandler.standardOutput(label: label, metadataProvider: metadataProvider)
            handler.logLevel = level
            return handler
        }
    }
}
