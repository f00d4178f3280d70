import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging

/// A notification ready to deliver.
public struct NotificationMessage: Sendable, Hashable, Codable {
    /// The notification's id.
    public var notificationID: String
    /// The order or transfer it is about.
    public var subjectID: String
    /// `ORDER_CONFIRMED`, `TRANSFER_SENT`, … (the contracts' `NotificationKind` symbol).
    public var kind: String
    /// Who receives it (a customer id or a VPA).
    public var recipient: String
    /// Template parameters.
    public var parameters: [String: String]

    /// Creates a notification.
    public init(notificationID: String, subjectID: String, kind: String, recipient: String, parameters: [String: String]) {
        self.notificationID = notificationID
        self.subjectID = subjectID
        self.kind = kind
        self.recipient = recipient
        self.parameters = parameters
    }
}

/// A delivery failed.
public enum NotificationDeliveryError: Error, Hashable, CustomStringConvertible {
    /// Transient (network, 5xx, 408, 429): delivered again later.
    case retriable(String)
    /// Permanent (the receiver refused it): not delivered again.
    case permanent(String)

    /// A readable description.
    public var description: String {
        switch self {
        case .retriable(let detail): "retriable delivery failure: \(detail)"
        case .permanent(let detail): "permanent delivery failure: \(detail)"
        }
    }
}

/// Where notifications go (SMS gateway, e-mail, push, a webhook…).
public protocol NotificationChannel: Sendable {
    /// The channel's name, recorded with each delivery.
    var name: String { get }
    /// Delivers `notification`; returns only when the receiver accepted it.
    func deliver(_ notification: NotificationMessage) async throws(NotificationDeliveryError)
}

/// Writes notifications to a logger (development, and a fallback).
public struct LogNotificationChannel: NotificationChannel {
    /// The logger.
    public let logger: Logger
    /// `log`.
    public var name: String { "log" }

    /// Creates the channel.
    public init(logger: Logger = Logger(label: "notification")) { self.logger = logger }

    /// Logs `notification` at info level.
    public func deliver(_ notification: NotificationMessage) async throws(NotificationDeliveryError) {
        logger.info("notification", metadata: [
            "id": "\(notification.notificationID)", "kind": "\(notification.kind)", "recipient": "\(notification.recipient)",
            "subject": "\(notification.subjectID)",
        ])
    }
}

/// POSTs each notification as JSON to a URL. A 2xx answer is a delivery; a network error, a
/// 5xx, 408 or 429 is retriable; any other answer is permanent.
public struct WebhookNotificationChannel: NotificationChannel {
    /// The endpoint.
    public let url: URL
    /// How long one request may take.
    public let timeout: TimeInterval
    /// `webhook`.
    public var name: String { "webhook" }

    /// Creates the channel.
    public init(url: URL, timeout: TimeInterval = 5) {
        self.url = url
        self.timeout = timeout
    }

    /// POSTs `notification` and checks the status.
    public func deliver(_ notification: NotificationMessage) async throws(NotificationDeliveryError) {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(notification.notificationID, forHTTPHeaderField: "Idempotency-Key")
        do {
            request.httpBody = try JSONEncoder().encode(notification)
        } catch {
            throw .permanent("cannot encode notification \(notification.notificationID): \(error)")
        }
        let response: URLResponse
        do {
            (_, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw .retriable("POST \(url) failed: \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else { throw .retriable("POST \(url): not an HTTP response") }
        switch http.statusCode {
        case 200..<300: return
        case 408, 429, 500...: throw .retriable("POST \(url) answered \(http.statusCode)")
        default: throw .permanent("POST \(url) answered \(http.statusCode)")
        }
    }
}
