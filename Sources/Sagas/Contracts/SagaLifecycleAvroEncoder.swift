import Avro
import Foundation
import SagaAvro
import SagaCore

/// Encodes lifecycle events as the contracts' `com.swiftsaga.saga.*` records (single-object
/// Avro) for the `saga.events` topic.
///
/// The contracts require UUID saga ids; an event of a saga whose id is not a UUID cannot be
/// encoded (``SagaLifecycleAvroEncoder/EncodingError``), which stops that saga's transition with
/// a clear error instead of publishing a record that breaks the contract. Causation ids that are
/// not UUIDs (e.g. start events from systems with other id schemes) are left out (`null`).
public struct SagaLifecycleAvroEncoder: SagaLifecycleEncoder {
    /// The `metadata.source` of every event (the orchestrator's service name).
    public var source: String

    /// Creates an encoder.
    public init(source: String = "saga-orchestrator") {
        self.source = source
    }

    /// An event could not be expressed in the contract.
    public enum EncodingError: Error, Hashable, CustomStringConvertible {
        /// The saga id or event id is not a UUID.
        case notAUUID(field: String, value: String)

        /// A readable description.
        public var description: String {
            switch self {
            case .notAUUID(let field, let value): "\(field) '\(value)' is not a UUID, as the saga contracts require"
            }
        }
    }

    /// Encodes `event` as its contract record.
    public func encode(_ event: SagaLifecycleEvent) throws -> EncodedPayload {
        guard let messageID = UUID(uuidString: event.eventID) else { throw EncodingError.notAUUID(field: "eventID", value: event.eventID) }
        guard let sagaID = UUID(uuidString: event.sagaID) else { throw EncodingError.notAUUID(field: "sagaID", value: event.sagaID) }
        let metadata = MessageMetadata(
            messageId: messageID, sagaId: sagaID, causationId: event.causationID.flatMap(UUID.init(uuidString:)),
            occurredAt: event.at, source: source, traceParent: nil, replyTo: nil
        )
        let failure = Failure(code: event.failureCode ?? "SAGA_FAILED", message: event.reason ?? "")
        let step = event.step ?? ""
        switch event.kind {
        case .started:
            return try EncodedPayload(SagaStarted(metadata: metadata, sagaType: event.sagaType, businessKey: event.sagaID))
        case .stepCompleted:
            return try EncodedPayload(SagaStepCompleted(
                metadata: metadata, sagaType: event.sagaType, step: step, attempt: Int32(clamping: event.attempt ?? 1),
                durationMillis: event.stepDurationMilliseconds ?? 0
            ))
        case .stepFailed:
            return try EncodedPayload(SagaStepFailed(
                metadata: metadata, sagaType: event.sagaType, step: step, attempt: Int32(clamping: event.attempt ?? 1),
                outcome: event.outcome == .businessFailure ? .businessFailure : .retriableFailure, failure: failure,
                willRetry: event.willRetry, retryAt: event.retryAt
            ))
        case .compensating:
            return try EncodedPayload(SagaCompensating(
                metadata: metadata, sagaType: event.sagaType, failedStep: step, failure: failure, compensations: event.compensations
            ))
        case .completed:
            return try EncodedPayload(SagaCompleted(metadata: metadata, sagaType: event.sagaType, startedAt: event.sagaStartedAt))
        case .compensated:
            return try EncodedPayload(SagaCompensated(
                metadata: metadata, sagaType: event.sagaType, startedAt: event.sagaStartedAt, failure: failure
            ))
        case .failed:
            return try EncodedPayload(SagaFailed(
                metadata: metadata, sagaType: event.sagaType, startedAt: event.sagaStartedAt, step: event.step, failure: failure
            ))
        }
    }
}

extension SagaStarted: SagaPayloadCodable {}
extension SagaStepCompleted: SagaPayloadCodable {}
extension SagaStepFailed: SagaPayloadCodable {}
extension SagaCompensating: SagaPayloadCodable {}
extension SagaCompleted: SagaPayloadCodable {}
extension SagaCompensated: SagaPayloadCodable {}
extension SagaFailed: SagaPayloadCodable {}
