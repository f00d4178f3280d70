import Foundation
import GRDB
import SagaPostgres
import SagaContracts
import SagaCore
import ServiceKit

/// The account service's rules over its tables.
///
/// **Money is conserved.** Only ``deposit(vpa:amountMinor:in:)`` and
/// ``withdraw(vpa:amountMinor:in:)`` change the total; a transfer moves money from the payer
/// into clearing (debit), then from there to the payee (credit) or back to the payer (refund),
/// so customer balances plus clearing stay equal to the net deposits at every moment, and
/// clearing is zero once every transfer has ended. Clearing is not a row but what the postings
/// say: debits not yet credited or refunded (``inClearing(in:)``), so no row is changed by every
/// movement.
///
/// **Idempotent per transfer id.** A posting is keyed by transfer id and kind (unique), so a
/// repeated debit, credit or refund returns the first posting's id and moves nothing.
///
/// **A refund closes the transfer.** A refund after a credit, a credit after a refund, and a
/// debit after a refund are refused. A refund of a transfer with no debit (the saga refunds a
/// debit whose outcome it does not know) moves nothing, succeeds, and leaves a tombstone in
/// `refunds_without_debit`, so a debit command arriving late cannot take the payer's money.
///
/// **Held by the database, also across replicas.** `CHECK (balance_minor >= 0)` forbids an
/// overdraft and the primary key (transfer_id, kind) a second posting; on PostgreSQL every step of
/// a transfer first takes the transfer's lock (``ServiceTransaction/lock(_:)``) and reads the
/// account it debits `FOR UPDATE`, so two replicas never both pass a balance, limit or refund check.
///
/// **One lock order.** A step locks its transfer and the account it changes together, in one
/// order (``ServiceTransaction/lock(_:)`` with several keys). A batch of commands in one
/// transaction takes the locks of all its commands first (`AccountService.prepare`, the participant's
/// `prepare`), so two batches never each hold an account the other waits for, and movements of
/// different accounts run at once.
/// The rules are written once against ``ServiceTransaction``; only the DDL is per dialect.
public enum AccountStore {
    /// Creates the tables (SQLite).
    public static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS accounts (
                vpa TEXT PRIMARY KEY, holder TEXT NOT NULL, balance_minor INTEGER NOT NULL CHECK (balance_minor >= 0),
                currency TEXT NOT NULL, per_txn_limit_minor INTEGER NOT NULL, daily_limit_minor INTEGER NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'FROZEN', 'CLOSED')), rejects_credits INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS postings (
                transfer_id TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('DEBIT', 'CREDIT', 'REFUND')),
                posting_id TEXT NOT NULL UNIQUE, vpa TEXT NOT NULL, amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
                currency TEXT NOT NULL, day TEXT NOT NULL, created_at REAL NOT NULL, PRIMARY KEY (transfer_id, kind));
            CREATE TABLE IF NOT EXISTS refunds_without_debit (transfer_id TEXT PRIMARY KEY, created_at REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS admin_movements (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, vpa TEXT NOT NULL, amount_minor INTEGER NOT NULL, created_at REAL NOT NULL);
            DROP TABLE IF EXISTS clearing;
            """)
    }

    /// The tables on PostgreSQL, in the account role's schema.
    public static let postgresMigrations: [PostgresMigration] = [
        PostgresMigration(identifier: "account v1: accounts, clearing, postings, refunds without debit, admin movements", statements: [
            """
            CREATE TABLE accounts (
                vpa text PRIMARY KEY, holder text NOT NULL, balance_minor bigint NOT NULL CHECK (balance_minor >= 0),
                currency text NOT NULL, per_txn_limit_minor bigint NOT NULL, daily_limit_minor bigint NOT NULL,
                status text NOT NULL CHECK (status IN ('ACTIVE', 'FROZEN', 'CLOSED')), rejects_credits boolean NOT NULL DEFAULT false)
            """,
            "CREATE TABLE clearing (currency text PRIMARY KEY, balance_minor bigint NOT NULL CHECK (balance_minor >= 0))",
            """
            CREATE TABLE postings (
                transfer_id text NOT NULL, kind text NOT NULL CHECK (kind IN ('DEBIT', 'CREDIT', 'REFUND')),
                posting_id text NOT NULL UNIQUE, vpa text NOT NULL, amount_minor bigint NOT NULL CHECK (amount_minor > 0),
                currency text NOT NULL, day text NOT NULL, created_at double precision NOT NULL, PRIMARY KEY (transfer_id, kind))
            """,
            "CREATE INDEX postings_daily ON postings (vpa, day) WHERE kind = 'DEBIT'",
            "CREATE TABLE refunds_without_debit (transfer_id text PRIMARY KEY, created_at double precision NOT NULL)",
            """
            CREATE TABLE admin_movements (
                seq bigserial PRIMARY KEY, vpa text NOT NULL, amount_minor bigint NOT NULL, created_at double precision NOT NULL)
            """,
        ]),
        // Clearing is read from the postings now. The table stays, unchecked, for replicas of the
        // version before during a rolling upgrade (they still write it); nothing reads it.
        PostgresMigration(identifier: "account v2: clearing is the sum of the postings", statements: [
            "ALTER TABLE clearing DROP CONSTRAINT IF EXISTS clearing_balance_minor_check",
            "COMMENT ON TABLE clearing IS 'unused since account v2: clearing is the postings'' debits not yet credited or refunded'",
        ]),
    ]

    // MARK: Administration (the only way money enters or leaves)

    /// Opens an active account with a zero balance.
    public static func open(
        vpa text: String, holder: String, currency: String, perTransactionLimitMinor: Int64, dailyLimitMinor: Int64, in db: ServiceTransaction
    ) throws -> VPA {
        guard let vpa = VPA(text) else { throw DomainError("VPA_INVALID", "'\(text)' is not a VPA (name@bank)") }
        guard perTransactionLimitMinor > 0, dailyLimitMinor > 0 else {
            throw DomainError("INVALID_LIMIT", "limits of \(vpa) must be positive")
        }
        let inserted = try db.execute("""
            INSERT INTO accounts (vpa, holder, balance_minor, currency, per_txn_limit_minor, daily_limit_minor, status)
            VALUES (?, ?, 0, ?, ?, ?, 'ACTIVE') ON CONFLICT (vpa) DO NOTHING
            """, [vpa.value, holder, currency, perTransactionLimitMinor, dailyLimitMinor])
        guard inserted == 1 else { throw DomainError("ACCOUNT_EXISTS", "\(vpa) already has an account") }
        return vpa
    }

    /// Adds money to an account (from outside the system).
    public static func deposit(vpa: String, amountMinor: Int64, in db: ServiceTransaction) throws {
        try move(vpa: vpa, signedAmount: amountMinor, in: db)
    }

    /// Takes money out of an account (to outside the system); never below zero.
    public static func withdraw(vpa: String, amountMinor: Int64, in db: ServiceTransaction) throws {
        try move(vpa: vpa, signedAmount: -amountMinor, in: db)
    }

    private static func move(vpa: String, signedAmount: Int64, in db: ServiceTransaction) throws {
        guard signedAmount != 0, signedAmount != .min else { throw DomainError("INVALID_AMOUNT", "amount must be positive") }
        guard let account = try account(vpa, forUpdate: true, in: db), account.status != .closed else {
            throw DomainError("VPA_NOT_FOUND", "no open account for \(vpa)")
        }
        guard account.balanceMinor + signedAmount >= 0 else {
            throw DomainError("INSUFFICIENT_FUNDS", "\(vpa) holds \(account.balanceMinor), cannot withdraw \(-signedAmount)")
        }
        try db.execute("UPDATE accounts SET balance_minor = balance_minor + ? WHERE vpa = ?", [signedAmount, account.vpa])
        try db.execute("INSERT INTO admin_movements (vpa, amount_minor, created_at) VALUES (?, ?, ?)",
            [account.vpa, signedAmount, Date().timeIntervalSince1970])
    }

    /// Sets an account's status (freeze, unfreeze, close).
    public static func setStatus(vpa: String, _ status: Account.Status, in db: ServiceTransaction) throws {
        guard try db.execute("UPDATE accounts SET status = ? WHERE vpa = ?", [status.rawValue, vpa.lowercased()]) > 0 else { throw DomainError("VPA_NOT_FOUND", "no account for \(vpa)") }
    }

    /// Makes credits to an account fail (`CREDIT_REJECTED`), or accepted again.
    public static func setRejectsCredits(vpa: String, _ rejects: Bool, in db: ServiceTransaction) throws {
        guard try db.execute("UPDATE accounts SET rejects_credits = ? WHERE vpa = ?", [rejects, vpa.lowercased()]) > 0 else { throw DomainError("VPA_NOT_FOUND", "no account for \(vpa)") }
    }

    // MARK: Reading

    /// The account of `vpa` (any case), if any; `forUpdate` locks its row until the transaction
    /// ends (PostgreSQL), for a write that depends on what was read.
    public static func account(_ vpa: String, forUpdate: Bool = false, in db: ServiceTransaction) throws -> Account? {
        try db.row("SELECT * FROM accounts WHERE vpa = ?" + (forUpdate ? db.forUpdate : ""), [vpa.lowercased()], source: "accounts")
            .map(Account.init(row:))
    }

    /// The account a transfer's debit took money from, if it was debited.
    public static func debitedAccount(transferID: String, in db: ServiceTransaction) throws -> String? {
        try posting(transferID, "DEBIT", in: db)?.vpa
    }

    /// The postings of a transfer.
    public static func postings(transferID: String, in db: ServiceTransaction) throws -> [Posting] {
        try db.rows("SELECT * FROM postings WHERE transfer_id = ? ORDER BY created_at, kind", [transferID], source: "postings")
            .map(posting)
    }

    /// The sum of customer balances.
    public static func customerBalances(in db: ServiceTransaction) throws -> Int64 {
        try sum("balance_minor", of: "accounts", in: db)
    }

    /// Money debited from payers and neither credited nor refunded yet: the debits' amounts less
    /// the credits' and refunds' (each of which follows a debit of the same amount). Reads every
    /// posting: an audit's query, not a step's.
    public static func inClearing(in db: ServiceTransaction) throws -> Int64 {
        try db.row("""
            SELECT CAST(COALESCE(SUM(CASE kind WHEN 'DEBIT' THEN amount_minor ELSE -amount_minor END), 0) AS BIGINT) AS total FROM postings
            """, source: "postings")?.integer("total") ?? 0
    }

    /// Deposits minus withdrawals, ever.
    public static func netDeposits(in db: ServiceTransaction) throws -> Int64 {
        try sum("amount_minor", of: "admin_movements", in: db)
    }

    private static func sum(_ column: String, of table: String, in db: ServiceTransaction) throws -> Int64 {
        try db.row("SELECT CAST(COALESCE(SUM(\(column)), 0) AS BIGINT) AS total FROM \(table)", source: table)?.integer("total") ?? 0
    }

    // MARK: Transfer steps

    /// Checks a transfer before any money moves: both VPAs exist and are active, the payer's
    /// per-transaction and daily limits allow it, the currencies match.
    public static func validate(transferID: String, payer: String, payee: String, amountMinor: Int64, currency: String,
        now: Date = Date(), in db: ServiceTransaction) throws -> StepResult
    {
        guard amountMinor > 0 else { return .refused(.code("INVALID_AMOUNT", "amount \(amountMinor) is not positive")) }
        let from: Account
        switch try usable(payer, role: "payer", in: db) {
        case .refused(let failure): return .refused(failure)
        case .usable(let account): from = account
        }
        let to: Account
        switch try usable(payee, role: "payee", in: db) {
        case .refused(let failure): return .refused(failure)
        case .usable(let account): to = account
        }
        guard from.vpa != to.vpa else { return .refused(.code("INVALID_TRANSFER", "payer and payee are both \(from.vpa)")) }
        guard from.currency == currency, to.currency == currency else {
            return .refused(.code("CURRENCY_MISMATCH", "transfer in \(currency) between \(from.currency) and \(to.currency) accounts"))
        }
        if let failure = try limitFailure(from, amountMinor: amountMinor, now: now, in: db) { return .refused(failure) }
        return .done(nil)
    }

    /// Takes the amount from the payer into clearing, once per transfer. Refused
    /// (`ALREADY_REFUNDED`) for a transfer refunded before its debit arrived.
    public static func debit(transferID: String, payer: String, amountMinor: Int64, currency: String, now: Date = Date(),
        in db: ServiceTransaction) throws -> StepResult
    {
        try db.lock([transferKey(transferID), accountKey(payer)])
        if let existing = try posting(transferID, "DEBIT", in: db) { return .done(existing.postingID) }
        guard try !refundedWithoutDebit(transferID, in: db) else {
            return .refused(.code("ALREADY_REFUNDED", "transfer \(transferID) was refunded before its debit arrived; it is not debited"))
        }
        guard amountMinor > 0 else { return .refused(.code("INVALID_AMOUNT", "amount \(amountMinor) is not positive")) }
        let from: Account
        switch try usable(payer, role: "payer", forUpdate: true, in: db) {
        case .refused(let failure): return .refused(failure)
        case .usable(let account): from = account
        }
        guard from.currency == currency else { return .refused(.code("CURRENCY_MISMATCH", "\(from.vpa) holds \(from.currency)")) }
        if let failure = try limitFailure(from, amountMinor: amountMinor, now: now, in: db) { return .refused(failure) }
        guard from.balanceMinor >= amountMinor else {
            return .refused(.code("INSUFFICIENT_FUNDS", "\(from.vpa) holds \(from.balanceMinor), needs \(amountMinor)"))
        }
        try db.execute("UPDATE accounts SET balance_minor = balance_minor - ? WHERE vpa = ?", [amountMinor, from.vpa])
        return .done(try insertPosting(transferID, "DEBIT", vpa: from.vpa, amountMinor: amountMinor, currency: currency, now: now, in: db))
    }

    /// Moves the debited amount from clearing to the payee, once per transfer. Refused
    /// (`CREDIT_REJECTED`) when there is no debit, the transfer was refunded, or the payee
    /// cannot receive (missing, frozen, closed, rejecting credits, other currency).
    public static func credit(transferID: String, payee: String, now: Date = Date(), in db: ServiceTransaction) throws -> StepResult {
        try db.lock([transferKey(transferID), accountKey(payee)])
        if let existing = try posting(transferID, "CREDIT", in: db) { return .done(existing.postingID) }
        guard let debit = try posting(transferID, "DEBIT", in: db) else {
            return .refused(.code("CREDIT_REJECTED", "transfer \(transferID) has no debit to credit"))
        }
        guard try posting(transferID, "REFUND", in: db) == nil else {
            return .refused(.code("CREDIT_REJECTED", "transfer \(transferID) was refunded"))
        }
        let to: Account
        switch try usable(payee, role: "payee", in: db) {
        case .refused(let failure): return .refused(.code("CREDIT_REJECTED", failure.message))
        case .usable(let account): to = account
        }
        guard !to.rejectsCredits else { return .refused(.code("CREDIT_REJECTED", "\(to.vpa) does not accept credits")) }
        guard to.currency == debit.currency else { return .refused(.code("CREDIT_REJECTED", "\(to.vpa) holds \(to.currency)")) }
        try db.execute("UPDATE accounts SET balance_minor = balance_minor + ? WHERE vpa = ?", [debit.amountMinor, to.vpa])
        return .done(try insertPosting(transferID, "CREDIT", vpa: to.vpa, amountMinor: debit.amountMinor, currency: debit.currency,
            now: now, in: db))
    }

    /// Returns the debited amount from clearing to the payer, once per transfer (also to a frozen
    /// or closed account: the money is the payer's). No debit: nothing to refund, success with no
    /// id, and the transfer is marked so that a later debit is refused. Already credited to the
    /// payee: refused (`ALREADY_CREDITED`).
    public static func refund(transferID: String, now: Date = Date(), in db: ServiceTransaction) throws -> StepResult {
        try db.lock(transferKey(transferID))
        if let existing = try posting(transferID, "REFUND", in: db) { return .done(existing.postingID) }
        guard let debit = try posting(transferID, "DEBIT", in: db) else {
            try db.execute("INSERT INTO refunds_without_debit (transfer_id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [transferID, now.timeIntervalSince1970])
            return .done(nil)
        }
        guard try posting(transferID, "CREDIT", in: db) == nil else {
            return .refused(.code("ALREADY_CREDITED", "transfer \(transferID) reached the payee; it cannot be refunded"))
        }
        // Held already when the batch's locks were taken first (the debit was there then).
        try db.lock(accountKey(debit.vpa))
        try db.execute("UPDATE accounts SET balance_minor = balance_minor + ? WHERE vpa = ?", [debit.amountMinor, debit.vpa])
        return .done(try insertPosting(transferID, "REFUND", vpa: debit.vpa, amountMinor: debit.amountMinor, currency: debit.currency,
            now: now, in: db))
    }

    // MARK: Internals

    /// The lock key of a transfer: its steps run one at a time.
    static func transferKey(_ transferID: String) -> String { "transfer/\(transferID)" }

    /// The lock key of an account, taken with its transfer's before its row is changed, so that
    /// a batch can take its accounts' keys first, in one order (any case of the VPA: one key).
    static func accountKey(_ vpa: String) -> String { "account/\(vpa.lowercased())" }

    /// Whether an account can take part in a transfer.
    private enum Usable {
        case usable(Account)
        case refused(Failure)
    }

    private static func usable(_ text: String, role: String, forUpdate: Bool = false, in db: ServiceTransaction) throws -> Usable {
        guard let vpa = VPA(text) else { return .refused(.code("VPA_NOT_FOUND", "\(role) '\(text)' is not a valid VPA")) }
        guard let account = try account(vpa.value, forUpdate: forUpdate, in: db) else {
            return .refused(.code("VPA_NOT_FOUND", "\(role) \(vpa) has no account"))
        }
        switch account.status {
        case .active: return .usable(account)
        case .frozen: return .refused(.code("ACCOUNT_FROZEN", "\(role) \(vpa) is frozen"))
        case .closed: return .refused(.code("ACCOUNT_CLOSED", "\(role) \(vpa) is closed"))
        }
    }

    private static func limitFailure(_ account: Account, amountMinor: Int64, now: Date, in db: ServiceTransaction) throws -> Failure? {
        if amountMinor > account.perTransactionLimitMinor {
            return .code("LIMIT_EXCEEDED", "\(amountMinor) is over \(account.vpa)'s per-transaction limit \(account.perTransactionLimitMinor)")
        }
        let sent = try db.row("""
            SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) AS sent FROM postings p WHERE p.vpa = ? AND p.kind = 'DEBIT' AND p.day = ?
            AND NOT EXISTS (SELECT 1 FROM postings r WHERE r.transfer_id = p.transfer_id AND r.kind = 'REFUND')
            """, [account.vpa, day(now)], source: "postings")?.integer("sent") ?? 0
        if sent + amountMinor > account.dailyLimitMinor {
            return .code("LIMIT_EXCEEDED", "\(account.vpa) sent \(sent) today; \(amountMinor) more is over the daily limit \(account.dailyLimitMinor)")
        }
        return nil
    }

    private static func refundedWithoutDebit(_ transferID: String, in db: ServiceTransaction) throws -> Bool {
        try db.row("SELECT transfer_id FROM refunds_without_debit WHERE transfer_id = ?", [transferID], source: "refunds_without_debit") != nil
    }

    private static func posting(_ transferID: String, _ kind: String, in db: ServiceTransaction) throws -> Posting? {
        try db.row("SELECT * FROM postings WHERE transfer_id = ? AND kind = ?", [transferID, kind], source: "postings").map(posting)
    }

    private static func posting(_ row: SQLRow) throws -> Posting {
        Posting(transferID: try row.text("transfer_id"), kind: try row.text("kind"), postingID: try row.text("posting_id"),
            vpa: try row.text("vpa"), amountMinor: try row.integer("amount_minor"), currency: try row.text("currency"))
    }

    private static func insertPosting(_ transferID: String, _ kind: String, vpa: String, amountMinor: Int64, currency: String,
        now: Date, in db: ServiceTransaction) throws -> String
    {
        let id = DeterministicUUID.make("\(kind.lowercased())/\(transferID)")
        try db.execute("""
            INSERT INTO postings (transfer_id, kind, posting_id, vpa, amount_minor, currency, day, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [transferID, kind, id, vpa, amountMinor, currency, day(now), now.timeIntervalSince1970])
        return id
    }

    /// The UTC day of `date`, as the number of days since 1970-01-01.
    static func day(_ date: Date) -> String {
        String(Int64((date.timeIntervalSince1970 / 86_400).rounded(.down)))
    }
}
