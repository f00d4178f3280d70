import SagaContracts
import SagaCore

// The contracts' start events, commands and replies travel as engine payloads (Avro single-object encoding).
extension OrderPlaced: SagaPayloadCodable {}
extension ReserveStock: SagaPayloadCodable {}
extension ReserveStockReply: SagaPayloadCodable {}
extension ReleaseStock: SagaPayloadCodable {}
extension ReleaseStockReply: SagaPayloadCodable {}
extension AuthorizePayment: SagaPayloadCodable {}
extension AuthorizePaymentReply: SagaPayloadCodable {}
extension ConfirmOrder: SagaPayloadCodable {}
extension ConfirmOrderReply: SagaPayloadCodable {}
extension CancelOrder: SagaPayloadCodable {}
extension CancelOrderReply: SagaPayloadCodable {}
extension TransferRequested: SagaPayloadCodable {}
extension ValidateTransfer: SagaPayloadCodable {}
extension ValidateTransferReply: SagaPayloadCodable {}
extension DebitPayer: SagaPayloadCodable {}
extension DebitPayerReply: SagaPayloadCodable {}
extension CreditPayee: SagaPayloadCodable {}
extension CreditPayeeReply: SagaPayloadCodable {}
extension RefundPayer: SagaPayloadCodable {}
extension RefundPayerReply: SagaPayloadCodable {}
extension BillSettlementRequested: SagaPayloadCodable {}
extension PayBillOwner: SagaPayloadCodable {}
extension PayBillOwnerReply: SagaPayloadCodable {}
extension SendNotification: SagaPayloadCodable {}
extension SendNotificationReply: SagaPayloadCodable {}
