// The saga contracts as Swift types.
//
// The message types of this module are generated at build time by the AvroCodegenPlugin from
// the package's `schemas/*.avsc` (schemas/README.md describes the messages, topics and
// headers). Change a contract by editing its schema; the next build regenerates the Swift code.
// `AvroGeneratedTypes.all` lists every generated type. This file adds what schemas cannot say:
// the topic and header names, and protocols over the envelope every message shares.

import Avro

/// Facts about the contracts that are not in the schemas themselves.
public enum SagaContracts {
    /// The Kafka `content-type` header value of single-object encoded Avro values.
    public static let singleObjectContentType = "application/vnd.apache.avro+binary; single-object"
    /// The Kafka `content-type` header value of Confluent-framed Avro values.
    public static let confluentContentType = "application/vnd.apache.avro+binary; confluent"
}

/// Topic names (schemas/README.md, "Topics").
public enum SagaTopics {
    /// Start events of the order saga (`OrderPlaced`).
    public static let orderPlaced = "order.placed"
    /// Start events of the UPI transfer saga (`TransferRequested`).
    public static let transferRequested = "transfer.requested"
    /// Commands to the inventory service (`ReserveStock`, `ReleaseStock`).
    public static let inventoryCommands = "inventory.commands"
    /// Commands to the payment service (`AuthorizePayment`).
    public static let paymentCommands = "payment.commands"
    /// Commands to the order service (`ConfirmOrder`, `CancelOrder`).
    public static let orderCommands = "order.commands"
    /// Commands to the account service (`ValidateTransfer`, `DebitPayer`, `CreditPayee`, `RefundPayer`).
    public static let accountCommands = "account.commands"
    /// Commands to the notification service (`SendNotification`).
    public static let notificationCommands = "notification.commands"
    /// Replies of the order saga's participants.
    public static let orderReplies = "saga.order.replies"
    /// Replies of the UPI transfer saga's participants.
    public static let transferReplies = "saga.transfer.replies"
    /// Saga lifecycle events.
    public static let sagaEvents = "saga.events"

    /// The dead-letter topic of `topic` (`payment.commands` → `payment.commands.dlq`).
    public static func deadLetter(of topic: String) -> String { topic + ".dlq" }
}

/// Kafka header names (schemas/README.md, "Kafka records"); values are UTF-8 text.
public enum SagaHeaders {
    /// The full Avro name of the value's schema, e.g. `com.swiftsaga.order.ReserveStock`.
    public static let messageType = "message-type"
    /// `metadata.messageId`.
    public static let messageID = "message-id"
    /// `metadata.sagaId`.
    public static let sagaID = "saga-id"
    /// `metadata.causationId` (absent on start events).
    public static let causationID = "causation-id"
    /// W3C Trace Context.
    public static let traceparent = "traceparent"
    /// ``SagaContracts/singleObjectContentType`` or ``SagaContracts/confluentContentType``.
    public static let contentType = "content-type"
}

/// A message of the sagas: a generated type whose first field is the envelope.
public protocol SagaMessage: AvroCodable {
    /// Message id, saga id, causation id, occurred-at time, source, trace and reply topic.
    var metadata: MessageMetadata { get set }
}

extension SagaMessage {
    /// The `message-type` header value: the full Avro name of the type's schema.
    public static var messageType: String { avroSchema.fullName?.fullName ?? "" }
}

/// A participant's reply to a command: how the step ended and why it failed.
public protocol SagaReply: SagaMessage {
    /// Succeeded, failed for a business reason, or failed for a retriable one.
    var outcome: ReplyOutcome { get set }
    /// The reason code and message; nil when ``outcome`` is `.succeeded`.
    var failure: Failure? { get set }
}

// Start events, commands and lifecycle events.
extension OrderPlaced: SagaMessage {}
extension ReserveStock: SagaMessage {}
extension ReleaseStock: SagaMessage {}
extension AuthorizePayment: SagaMessage {}
extension ConfirmOrder: SagaMessage {}
extension CancelOrder: SagaMessage {}
extension SendNotification: SagaMessage {}
extension TransferRequested: SagaMessage {}
extension ValidateTransfer: SagaMessage {}
extension DebitPayer: SagaMessage {}
extension CreditPayee: SagaMessage {}
extension RefundPayer: SagaMessage {}
extension SagaStarted: SagaMessage {}
extension SagaStepCompleted: SagaMessage {}
extension SagaStepFailed: SagaMessage {}
extension SagaCompensating: SagaMessage {}
extension SagaCompleted: SagaMessage {}
extension SagaCompensated: SagaMessage {}
extension SagaFailed: SagaMessage {}

// Replies.
extension ReserveStockReply: SagaReply {}
extension ReleaseStockReply: SagaReply {}
extension AuthorizePaymentReply: SagaReply {}
extension ConfirmOrderReply: SagaReply {}
extension CancelOrderReply: SagaReply {}
extension SendNotificationReply: SagaReply {}
extension ValidateTransferReply: SagaReply {}
extension DebitPayerReply: SagaReply {}
extension CreditPayeeReply: SagaReply {}
extension RefundPayerReply: SagaReply {}
