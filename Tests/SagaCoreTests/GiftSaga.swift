import SagaCore
import SagaTestKit

/// A saga with steps over a list, for the engine's tests: collect each friend's contribution
/// (undone by refunding it), buy the gift (the pivot), thank each friend; a failure tells
/// every friend why.
enum GiftSaga {
    struct Friend: Codable, Hashable, Sendable {
        var name: String
        var amount: Int
    }

    struct Data: JSONPayload, Hashable {
        var giftID: String
        var friends: [Friend]
        var collected: [String: String] = [:]
    }

    struct Collect: JSONPayload, Hashable { var giftID: String; var friend: String; var amount: Int }
    struct Collected: JSONPayload, Hashable { var receipt: String }
    struct Refund: JSONPayload, Hashable { var giftID: String; var friend: String; var receipt: String? }
    struct Buy: JSONPayload, Hashable { var giftID: String; var total: Int }
    struct Thank: JSONPayload, Hashable { var friend: String }
    struct TellFailure: JSONPayload, Hashable { var friend: String; var reason: String }

    static let friends = [Friend(name: "ana", amount: 10), Friend(name: "ben", amount: 20), Friend(name: "cy", amount: 30)]
    static let data = Data(giftID: "gift-1", friends: friends)
    static let retry = RetryPolicy.exponential(maxAttempts: 2, initial: .seconds(1), jitter: 0)

    static func definition(limit: Int? = nil) throws -> SagaDefinition<Data> {
        try SagaDefinition<Data>(name: "gift", version: 1, replyTopic: "gift.replies") {
            SagaStep<Data>.onCompensation("tellFailure", forEach: \.friends)
                .compensateEach(topic: "mail.commands", timeout: .seconds(5), retry: retry) { data, friend, _ in
                    TellFailure(friend: friend.name, reason: "collection failed")
                }
            collect(limit: limit)
            SagaStep<Data>.pivot("buyGift", topic: "shop.commands") { data in
                Buy(giftID: data.giftID, total: data.friends.reduce(0) { $0 + $1.amount })
            }
            .timeout(.seconds(5)).retry(retry)
            SagaStep<Data>.retriable("thank", topic: "mail.commands", forEach: \.friends) { _, friend, _ in
                Thank(friend: friend.name)
            }
            .timeout(.seconds(5)).retry(retry)
        }
    }

    static func collect(limit: Int?) -> SagaListStep<Data, Friend> {
        var step = SagaStep<Data>.compensatable("collect", topic: "wallet.commands", forEach: \.friends) { data, friend, _ in
            Collect(giftID: data.giftID, friend: friend.name, amount: friend.amount)
        }
        .onReply { reply, data in
            if reply.status == .succeeded, let item = reply.item {
                data.collected[data.friends[item].name] = try reply.decode(Collected.self).receipt
            }
            return reply.defaultInterpretation
        }
        .timeout(.seconds(5)).retry(retry)
        .compensateEach(topic: "wallet.commands", timeout: .seconds(5), retry: retry) { data, friend, _ in
            Refund(giftID: data.giftID, friend: friend.name, receipt: data.collected[friend.name])
        }
        if let limit { step = step.limit(limit) }
        return step
    }

    static func collected(_ receipt: String) -> TestReply { .succeeded(Collected(receipt: receipt)) }
}
