import Foundation

/// A `Codable` value carried as a JSON payload: saga data, commands and replies of sagas whose
/// messages need no schema registry (the engine treats payloads as opaque bytes). Conform with
/// an empty extension; the wire type name defaults to the Swift type's name.
///
/// ```swift
/// struct GreetingData: JSONPayload { var name: String; var greeting: String? }
/// ```
public protocol JSONPayload: SagaPayloadCodable, Codable {}

extension JSONPayload {
    /// The Swift type name.
    public static var messageType: String { String(describing: Self.self) }

    /// JSON bytes with sorted keys (the same value always encodes to the same bytes).
    public func encodePayload() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(self))
    }

    /// From JSON bytes.
    public static func decodePayload(_ bytes: [UInt8]) throws -> Self { try JSONDecoder().decode(Self.self, from: Data(bytes)) }
}

/// Encodes lifecycle events as small JSON objects (kind, saga id, step, reason): for sagas
/// without Avro contracts. The shipped sagas use the contracts' Avro records instead.
public struct JSONLifecycleEncoder: SagaLifecycleEncoder {
    /// The JSON shape of one event.
    public struct Event: JSONPayload, Hashable {
        /// The lifecycle kind (`started`, `stepCompleted`, …).
        public var kind: String
        /// The saga.
        public var sagaID: String
        /// The step, if the event is about one.
        public var step: String?
        /// The reason, for failures.
        public var reason: String?
    }

    /// Creates the encoder.
    public init() {}

    /// Encodes `event` as JSON.
    public func encode(_ event: SagaLifecycleEvent) throws -> EncodedPayload {
        try EncodedPayload(Event(kind: event.kind.rawValue, sagaID: event.sagaID, step: event.step, reason: event.reason))
    }
}
