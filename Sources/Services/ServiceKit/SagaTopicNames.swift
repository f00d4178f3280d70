import SagaContracts

/// The topic names of the two sagas (`SagaContracts.SagaTopics`), optionally under a prefix so that
/// several deployments (or tests) share one broker without seeing each other's records.
public struct SagaTopicNames: Sendable, Hashable {
    /// Prepended to every name ("" in production).
    public var prefix: String

    /// Creates the topic set under `prefix`.
    public init(prefix: String = "") { self.prefix = prefix }

    /// `order.placed`: OrderPlaced start events from the order service.
    public var orderPlaced: String { prefix + SagaTopics.orderPlaced }
    /// `transfer.requested`: TransferRequested start events from the UPI front end.
    public var transferRequested: String { prefix + SagaTopics.transferRequested }
    /// `inventory.commands`.
    public var inventoryCommands: String { prefix + SagaTopics.inventoryCommands }
    /// `payment.commands`.
    public var paymentCommands: String { prefix + SagaTopics.paymentCommands }
    /// `order.commands`.
    public var orderCommands: String { prefix + SagaTopics.orderCommands }
    /// `account.commands`.
    public var accountCommands: String { prefix + SagaTopics.accountCommands }
    /// `notification.commands`.
    public var notificationCommands: String { prefix + SagaTopics.notificationCommands }
    /// `saga.order.replies`.
    public var orderReplies: String { prefix + SagaTopics.orderReplies }
    /// `saga.transfer.replies`.
    public var transferReplies: String { prefix + SagaTopics.transferReplies }
    /// `saga.events`: lifecycle events.
    public var events: String { prefix + SagaTopics.sagaEvents }

    /// Every topic above.
    public var all: [String] {
        [orderPlaced, transferRequested, inventoryCommands, paymentCommands, orderCommands, accountCommands,
         notificationCommands, orderReplies, transferReplies, events]
    }
}
