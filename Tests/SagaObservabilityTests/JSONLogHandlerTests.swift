import Foundation
import Logging
import SagaCore
import SagaSQLite
import SagaAvro
import SagaObservability
import Testing

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test("each line is one JSON object with time, level, label, message and flattened metadata")
    func line() throws {
        let lines = LogLines()
        var logger = Logger(label: "saga.orders") { label in JSONLogHandler(label: label, level: .debug, sink: lines.sink) }
        logger[metadataKey: "saga_id"] = "s-1"
        logger.info(
            "reserved \"3\" items\nfor order",
            metadata: [
                "message_id": "m-1", "attempt": .stringConvertible(2), "nested": ["a": "1", "b": ["c": "2"]],
                "list": ["x", "y"], "level": "shadowed", "control": "\u{1}",
            ]
        )
        logger.trace("below the level")
        #expect(lines.all.count == 1)
        #expect(lines.all.allSatisfy { !$0.contains("\n") })
        let object = try #require(try lines.objects().first)
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "saga.orders")
        #expect(object["message"] as? String == "reserved \"3\" items\nfor order")
        #expect(object["saga_id"] as? String == "s-1")
        #expect(object["message_id"] as? String == "m-1")
        #expect(object["attempt"] as? String == "2")
        #expect(object["nested.a"] as? String == "1")
        #expect(object["nested.b.c"] as? String == "2")
        #expect(object["list"] as? [String] == ["x", "y"])
        #expect(object["metadata.level"] as? String == "shadowed")
        #expect(object["control"] as? String == "\u{1}")
        let time = try #require(object["time"] as? String)
        #expect(time.count == 24 && time.hasSuffix("Z"))
        let parsed = try #require(try? Date(time, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)))
        #expect(abs(parsed.timeIntervalSinceNow) < 60)
        #expect(lines.all[0].hasPrefix("{\"time\":"))
    }

    @Test("the bootstrap settings default to json at info and reject unknown values")
    func settings() throws {
        let (format, level) = try LoggingBootstrap.settings([:])
        #expect(format == .json && level == .info)
        let (text, debug) = try LoggingBootstrap.settings(["SAGA_LOG_FORMAT": "TEXT", "SAGA_LOG_LEVEL": "debug"])
        #expect(text == .text && debug == .debug)
        #expect(throws: ObservabilitySettingError.self) { try LoggingBootstrap.settings(["SAGA_LOG_FORMAT": "xml"]) }
        #expect(throws: ObservabilitySettingError.self) { try LoggingBootstrap.settings(["SAGA_LOG_LEVEL": "loud"]) }
    }
}

@Suite("Log context of a processed message")
struct SagaLogContextTests {
    struct UnusedSink: DeadLetterSink {
        func publish(_ message: OutgoingMessage, partition: Int32) async throws { Issue.record("nothing should be dead-lettered") }
    }

    @Test("a line logged by a handler while the engine processes a message carries its saga, message and trace ids")
    func handlerLines() async throws {
        let lines = LogLines()
        let logger = Logger(label: "service") { label in
            JSONLogHandler(label: label, metadataProvider: SagaLogContext.metadataProvider, sink: lines.sink)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("logctx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { do { try FileManager.default.removeItem(at: directory) } catch { Issue.record("cleanup: \(error)") } }
        let store = try SQLiteSagaStore(path: directory.appendingPathComponent("s.sqlite").path)
        let handler = DeadLetteringHandler(
            group: "g", service: "svc", retry: .none, sink: UnusedSink(), store: store,
            classify: { _ in .deadLetter(.nonRetriable) },
            process: { _ in logger.info("handling") }
        )
        let message = InboundMessage(
            topic: "t", partition: 0, offset: 7, timestampMilliseconds: nil, key: [], value: [],
            headers: [
                SagaHeader(SagaHeaders.messageID, "m-9"), SagaHeader(SagaHeaders.sagaID, "s-9"),
                SagaHeader(SagaHeaders.traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            ]
        )
        #expect(try await handler.handle(message) == .processed(attempts: 1))
        logger.info("outside")
        let objects = try lines.objects()
        #expect(objects.count == 2)
        #expect(objects.first?["saga_id"] as? String == "s-9")
        #expect(objects.first?["message_id"] as? String == "m-9")
        #expect(objects.first?["trace_id"] as? String == "0af7651916cd43dd8448eb211c80319c")
        #expect(objects.last?["saga_id"] == nil)
    }
}
