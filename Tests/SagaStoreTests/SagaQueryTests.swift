import SagaTestSupport
import Avro
import Foundation
import SagaCore
import SagaSQLite
import SagaAvro
import Testing

/// ``SagaFilter`` over each store under test (SQLite, PostgreSQL), and its argument parsing.
@Suite struct SagaQueryTests {
    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    static func state(_ id: String, type: String, status: SagaStatus, created: Date) -> SagaState {
        SagaState(
            sagaID: id, sagaType: type, definitionVersion: 1, status: status, phase: .forward, stepIndex: 0, attempt: 1,
            requestSequence: 0, pendingRequestID: nil, deadline: nil, deadlineKind: nil, completedSteps: [], data: Array(#"{"n":1}"#.utf8),
            failureReason: nil, version: 0, createdAt: created, updatedAt: created)
    }

    @Test(arguments: StoreKind.underTest) func theFilterSelectsInSQLNewestFirst(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let rows: [(String, String, SagaStatus, Double)] = [
                ("a", "order", .completed, 0), ("b", "order", .running, 10), ("c", "transfer", .compensated, 20),
                ("d", "transfer", .completed, 30), ("e", "order", .failed, 40),
            ]
            for (id, type, status, offset) in rows {
                let result = try await store.commit(SagaCommit(
                    saga: .insert(Self.state(id, type: type, status: status, created: Self.t0.addingTimeInterval(offset))), sagaID: id,
                    history: [.started(sequence: 1, requestID: "r-\(id)", phase: .forward, stepIndex: 0, stepName: "first", attempt: 1,
                                       at: Self.t0.addingTimeInterval(offset))]))
                #expect(result == .committed(version: 0))
            }
            func ids(_ filter: SagaFilter) async throws -> [String] { try await store.sagas(matching: filter).map(\.sagaID) }
            #expect(try await ids(SagaFilter()) == ["e", "d", "c", "b", "a"])
            #expect(try await ids(SagaFilter(type: "order")) == ["e", "b", "a"])
            #expect(try await ids(SagaFilter(states: [.completed, .compensated])) == ["d", "c", "a"])
            #expect(try await ids(SagaFilter(type: "transfer", states: [.completed])) == ["d"])
            #expect(try await ids(SagaFilter(since: Self.t0.addingTimeInterval(20))) == ["e", "d", "c"])
            #expect(try await ids(SagaFilter(limit: 2)) == ["e", "d"])
            #expect(try await ids(SagaFilter(limit: 0)) == ["e"], "a limit below 1 is 1")
            #expect(try await ids(SagaFilter(type: "nope")) == [])
            var page = SagaFilter(limit: 2)
            page.after = SagaFilter.Cursor(after: try #require(try await store.load(sagaID: "d")))
            #expect(try await ids(page) == ["c", "b"], "the page after d")
            var narrow = SagaFilter()
            narrow.until = Self.t0.addingTimeInterval(20)
            narrow.idPrefix = "b"
            #expect(try await ids(narrow) == ["b"])
            var atStep = SagaFilter()
            atStep.step = "first"
            #expect(try await ids(atStep).count == 5)
            atStep.step = "second"
            #expect(try await ids(atStep) == [])
            let counts = try await store.counts().map { "\($0.type) \($0.status.rawValue) \($0.count)" }
            #expect(counts == ["order completed 1", "order failed 1", "order running 1", "transfer compensated 1", "transfer completed 1"])

            let reports = try await store.reports(matching: SagaFilter(type: "transfer"))
            #expect(reports.map { $0.history.map(\.requestID) } == [["r-d"], ["r-c"]])
            let report = try #require(try await store.report(sagaID: "c"))
            #expect(report.currentStep == "first" && report.json["data"] == .object([("n", .integer(1))]))
            #expect(try await store.report(sagaID: "zzz") == nil)
        }
    }

    @Test func statesAndTimesParse() throws {
        #expect(try SagaFilter.states(["running", "completed,failed", "running"]) == [.running, .completed, .failed])
        #expect(throws: SagaFilterError.unknownState("done")) { try SagaFilter.states(["running,done"]) }
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(try SagaFilter.time("30m", now: now) == now.addingTimeInterval(-1800))
        #expect(try SagaFilter.time("2d", now: now) == now.addingTimeInterval(-172_800))
        #expect(try SagaFilter.time("1970-01-12T13:46:40Z", now: now) == now)
        #expect(try SagaFilter.time("1970-01-12T13:46:40.500Z", now: now) == now.addingTimeInterval(0.5))
        for bad in ["", "yesterday", "-5m", "m", "infm"] {
            #expect(throws: SagaFilterError.invalidTime(bad)) { try SagaFilter.time(bad, now: now) }
        }
    }

    @Test func dataRendersAsJSONHexOrNull() {
        #expect(SagaReport.plainData(Array(#"{"a":[1]}"#.utf8)) == .object([("a", .array([.integer(1)]))]))
        #expect(SagaReport.plainData([0xc3, 0x01, 0xff]) == .object([("hex", .string("c301ff"))]))
        #expect(SagaReport.plainData([]) == .null)
    }
}
