/// The store a participant service runs on: its inbox, its remembered successful replies, its
/// outbox, and the service's own tables, all changed in **one** transaction of the store's own
/// kind.
///
/// The engine does not know the store's database: it hands the store's ``Transaction`` to the
/// service's handler, which changes the service's tables through it, and writes the inbox entry
/// and the reply through the ``ParticipantTransaction`` requirements. The SQLite store's
/// transaction wraps GRDB's `Database`; another store (PostgreSQL) brings its own.
public protocol ParticipantStore: SagaStore {
    /// The store's open transaction, as the handler of a ``SagaParticipant`` receives it.
    associatedtype Transaction: ParticipantTransaction

    /// Runs `body` in one transaction and commits it; an error thrown by `body` rolls the whole
    /// transaction back and is rethrown as it is. A failure of the database itself is thrown as
    /// a ``SagaStoreError`` naming `operation`.
    func transaction<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (Transaction) throws -> Result
    ) async throws -> Result

    /// The store's own failure that `error`, thrown by a handler inside ``transaction(_:_:)``,
    /// stands for (the connection went away, the server refused a statement), as a
    /// ``SagaStoreError`` naming `operation`; nil when the error is the handler's own. A
    /// ``SagaParticipant`` treats such an error as the store's: the message is retried until the
    /// database answers, never dead-lettered. The default recognizes only ``SagaStoreError``.
    func storeFailure(_ error: any Error, operation: String) -> SagaStoreError?
}

extension ParticipantStore {
    /// Recognizes only a ``SagaStoreError`` thrown as it is.
    public func storeFailure(_ error: any Error, operation: String) -> SagaStoreError? {
        error as? SagaStoreError
    }
}

/// The engine's part of a participant's transaction: what it records besides the service's own
/// changes.
public protocol ParticipantTransaction {
    /// Records that `entry`'s message was processed; `false` when it had been already (nothing written).
    func recordInbox(_ entry: InboxEntry) throws -> Bool
    /// The successful reply remembered for `idempotencyKey` by `consumer`, if a former attempt of
    /// the same step succeeded.
    func rememberedSuccess(consumer: String, idempotencyKey: String) throws -> RememberedSuccess?
    /// Remembers a successful reply (its payload, if any) under `idempotencyKey`; a second call
    /// for the same key keeps the first.
    func rememberSuccess(consumer: String, idempotencyKey: String, payload: EncodedPayload?) throws
    /// Writes `messages` to the outbox, to be published after the commit.
    func enqueue(_ messages: [OutgoingMessage]) throws
    /// Records the inbox entries of the commands that follow ahead of their ``recordInbox(_:)``
    /// calls, where the store can write them together (one statement on PostgreSQL, sent with
    /// the next read); each such call then answers as it would have. Every entry given must be
    /// recorded by its call before the transaction ends. Optional: the default does nothing.
    func prerecord(inbox entries: [InboxEntry]) throws
    /// Reads the successful replies remembered for `idempotencyKeys` ahead of the
    /// ``rememberedSuccess(consumer:idempotencyKey:)`` calls that follow, where the store can
    /// read them together. Optional: the default does nothing.
    func prefetchRememberedSuccesses(consumer: String, idempotencyKeys: [String]) throws
}

extension ParticipantTransaction {
    /// Does nothing: each ``recordInbox(_:)`` writes its own entry.
    public func prerecord(inbox entries: [InboxEntry]) throws {}

    /// Does nothing: each ``rememberedSuccess(consumer:idempotencyKey:)`` reads its own.
    public func prefetchRememberedSuccesses(consumer: String, idempotencyKeys: [String]) throws {}
}

/// A successful reply a participant remembered for an idempotency key.
public struct RememberedSuccess: Sendable, Hashable {
    /// The reply's payload, if it had one.
    public var payload: EncodedPayload?

    /// Creates a remembered success.
    public init(payload: EncodedPayload?) { self.payload = payload }
}
