import Avro

extension SagaTopics {
    /// The message types each topic carries, by full Avro name (schemas/README.md, "Topics" and
    /// "The sagas"): what a schema registry needs to name `<topic>-value` subjects, and what a
    /// consumer of a topic may expect. Dead-letter topics carry their original topic's types.
    public var messageTypes: [String: [String]] {
        [
        orderPlaced: [OrderPlaced.messageType],
        transferRequested: [TransferRequested.messageType],
        billSettlementRequested: [BillSettlementRequested.messageType],
        inventoryCommands: [ReserveStock.messageType, ReleaseStock.messageType],
        paymentCommands: [AuthorizePayment.messageType],
        orderCommands: [ConfirmOrder.messageType, CancelOrder.messageType],
        accountCommands: [ValidateTransfer.messageType, DebitPayer.messageType, CreditPayee.messageType, RefundPayer.messageType,
            PayBillOwner.messageType],
        notificationCommands: [SendNotification.messageType],
        orderReplies: [
            ReserveStockReply.messageType, ReleaseStockReply.messageType, AuthorizePaymentReply.messageType,
            ConfirmOrderReply.messageType, CancelOrderReply.messageType, SendNotificationReply.messageType,
        ],
        transferReplies: [
            ValidateTransferReply.messageType, DebitPayerReply.messageType, CreditPayeeReply.messageType,
            RefundPayerReply.messageType, SendNotificationReply.messageType,
        ],
        billReplies: [
            ValidateTransferReply.messageType, DebitPayerReply.messageType, RefundPayerReply.messageType,
            PayBillOwnerReply.messageType, SendNotificationReply.messageType,
        ],
        events: [
            SagaStarted.messageType, SagaStepCompleted.messageType, SagaStepFailed.messageType, SagaCompensating.messageType,
            SagaCompleted.messageType, SagaCompensated.messageType, SagaFailed.messageType,
        ],
        ]
    }
}
