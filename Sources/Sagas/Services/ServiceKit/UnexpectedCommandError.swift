import SagaCore

/// The payload type of a command a service does not handle.
public struct UnexpectedCommandError: Error, Hashable, CustomStringConvertible {
    /// The service.
    public var service: String
    /// The `message-type` it received.
    public var messageType: String
    /// The command's message id.
    public var messageID: String

    /// Creates the error for `command`.
    public init(service: String, command: ParticipantCommand) {
        self.service = service
        self.messageType = command.messageType
        self.messageID = command.messageID
    }

    /// A readable description.
    public var description: String { "\(service) does not handle \(messageType) (command \(messageID))" }
}
