/// Why the orchestrator could not process an event. Each case says whether retrying can help,
/// which decides between retrying a consumed message and dead-lettering it.
public enum SagaRuntimeError: Error, CustomStringConvertible {
    /// No definition is registered for the saga type (and version).
    case unknownSagaType(String, version: Int?)
    /// A reply or operator command names a saga that does not exist.
    case unknownSaga(String)
    /// The state machine refused the event.
    case transition(SagaTransitionError)
    /// The store failed.
    case store(SagaStoreError)
    /// A lifecycle event could not be encoded.
    case lifecycleEncoding(event: SagaLifecycleKind, sagaID: String, error: String)
    /// Concurrent writers kept changing the saga.
    case tooManyConflicts(sagaID: String, attempts: Int)
    /// A consumed message lacks an envelope header or has an invalid one.
    case invalidEnvelope(coordinates: String, detail: String)

    /// Whether processing may succeed later (store trouble, contention) rather than never.
    public var isRetriable: Bool {
        switch self {
        case .store(.database), .store(.cancelled), .tooManyConflicts: true
        default: false
        }
    }

    /// A readable description.
    public var description: String {
        switch self {
        case .unknownSagaType(let type, let version):
            "no saga definition '\(type)'\(version.map { " version \($0)" } ?? "") is registered"
        case .unknownSaga(let id): "no saga instance \(id)"
        case .transition(let error): error.description
        case .store(let error): error.description
        case .lifecycleEncoding(let kind, let id, let error): "saga \(id): cannot encode lifecycle event \(kind): \(error)"
        case .tooManyConflicts(let id, let attempts): "saga \(id): still conflicting after \(attempts) attempts"
        case .invalidEnvelope(let coordinates, let detail): "message \(coordinates): \(detail)"
        }
    }
}
