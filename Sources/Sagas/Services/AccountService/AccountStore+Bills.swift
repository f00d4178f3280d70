import Foundation
import GRDB
import SagaContracts
import SagaCore
import ServiceKit

extension AccountStore {
    /// Pays a bill's owner every share at once (the bill-settlement saga's pivot): each share's
    /// debit is credited to `owner` (a `CREDIT` posting keyed by the share's transfer id, as a
    /// transfer's credit), all in one savepoint, or none.
    ///
    /// Refused (`CREDIT_REJECTED`) when the owner cannot receive, a share was not debited or was
    /// refunded, or the debits do not add up to `amountMinor` in `currency`; nothing moves then.
    /// Idempotent per bill: a repeat finds every credit posted and returns the same settlement id.
    public static func settle(
        billID: String, owner: String, shareTransferIDs: [String], amountMinor: Int64, currency: String, now: Date = Date(),
        in db: ServiceTransaction
    ) throws -> StepResult {
        guard !shareTransferIDs.isEmpty, Set(shareTransferIDs).count == shareTransferIDs.count else {
            return .refused(.code("CREDIT_REJECTED", "bill \(billID) names no shares, or a share twice"))
        }
        var result = StepResult.done(DeterministicUUID.make("settlement/\(billID)"))
        try db.savepoint {
            var credited: Int64 = 0
            for transferID in shareTransferIDs {
                if case .refused(let failure) = try credit(transferID: transferID, payee: owner, now: now, in: db) {
                    result = .refused(.code("CREDIT_REJECTED", "share \(transferID) of bill \(billID): \(failure.message)"))
                    return false
                }
                guard let posting = try postings(transferID: transferID, in: db).first(where: { $0.kind == "CREDIT" }),
                    posting.currency == currency
                else {
                    result = .refused(.code("CREDIT_REJECTED", "share \(transferID) of bill \(billID) is not in \(currency)"))
                    return false
                }
                credited += posting.amountMinor
            }
            guard credited == amountMinor else {
                result = .refused(.code("CREDIT_REJECTED", "bill \(billID): the shares add up to \(credited), not \(amountMinor)"))
                return false
            }
            return true
        }
        return result
    }
}
