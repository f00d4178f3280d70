import SagaContracts

/// A notification as the saga asked for it.
struct Notice: Hashable, CustomStringConvertible {
    var kind: NotificationKind
    var recipient: String
    var reason: String?

    init(kind: NotificationKind, recipient: String, reason: String? = nil) {
        self.kind = kind
        self.recipient = recipient
        self.reason = reason
    }

    var description: String { "\(kind) to \(recipient)\(reason.map { " (\($0))" } ?? "")" }
}
