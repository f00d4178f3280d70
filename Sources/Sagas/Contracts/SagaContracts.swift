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

/// The topic names of the shipped sagas (schemas/README.md, "Topics"), in the one place they
/// are defined, optionally under a prefix so that several deployments (or tests) share one
/// broker without seeing each other's records.
public struct SagaTopics: Sendable, Hashable {
    /// Prepended to every name ("" in production).
    public var prefix: String

    /// The topics under `prefix`.
    public init(prefix: String = "") { self.prefix = prefix }

    /// `order.placed`: start events of the order saga (`OrderPlaced`).
    public var orderPlaced: String { prefix + "order.placed" }
    /// `transfer.requested`: start events of the UPI transfer saga (`TransferRequested`).
    public var transferRequested: String { prefix + "transfer.requested" }
    /// `bill.settlement.requested`: start events of the bill-settlement saga (`BillSettlementRequested`).
    public var billSettlementRequested: String { prefix + "bill.settlement.requested" }
    /// `inventory.commands`: `ReserveStock`, `ReleaseStock`.
    public var inventoryCommands: String { prefix + "inventory.commands" }
    /// `payment.commands`: `AuthorizePayment`.
    public var paymentCommands: String { prefix + "payment.commands" }
    /// `order.commands`: `ConfirmOrder`, `CancelOrder`.
    public var orderCommands: String { prefix + "order.commands" }
    /// `account.commands`: `ValidateTransfer`, `DebitPayer`, `CreditPayee`, `RefundPayer`, `PayBillOwner`.
    public var accountCommands: String { prefix + "account.commands" }
    /// `notification.commands`: `SendNotification`.
    public var notificationCommands: String { prefix + "notification.commands" }
    /// `saga.order.replies`: replies of the order saga's participants.
    public var orderReplies: String { prefix + "saga.order.replies" }
    /// `saga.transfer.replies`: replies of the UPI transfer saga's participants.
    public var transferReplies: String { prefix + "saga.transfer.replies" }
    /// `saga.bill.replies`: replies of the bill-settlement saga's participants.
    public var billReplies: String { prefix + "saga.bill.replies" }
    /// `saga.events`: saga lifecycle events.
    public var events: String { prefix + "saga.events" }

    /// `saga.audit`: what operators did (retry, resolve), one JSON record per audit-trail entry,
    /// keyed by its target. No saga reads it; it is for people and their tools (a SIEM).
    public var audit: String { prefix + "saga.audit" }

    /// Every topic the system writes: the sagas' topics (``all``) and ``audit``.
    public var provisioned: [String] { all + [audit] }

    /// Every topic of the sagas above (not ``audit``).
    public var all: [String] {
        [orderPlaced, transferRequested, billSettlementRequested, inventoryCommands, paymentCommands, orderCommands,
         accountCommands, notificationCommands, orderReplies, transferReplies, billReplies, events]
    }
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
extension BillSettlementRequested: SagaMessage {}
extension PayBillOwner: SagaMessage {}
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
extension PayBillOwnerReply: SagaReply {}
