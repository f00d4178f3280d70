import SagaTestSupport
import Foundation
import GRDB
import InventoryService
import SagaContracts
import SagaCore
import SagaSQLite
import SagaServicesTestSupport
import ServiceKit
import Testing

/// The inventory's rules on SQLite and PostgreSQL (one body, both stores).
@Suite struct InventoryStoreTests {
    let a = UUID().uuidString.lowercased(), b = UUID().uuidString.lowercased()

    /// A fresh store of one kind with the suite's data.
    struct Fixture: Sendable {
        let scratch: ScratchServiceStore
        var store: ServiceStore { scratch.store }
        let a = UUID().uuidString.lowercased(), b = UUID().uuidString.lowercased()

        init(scratch: ScratchServiceStore) async throws {
            self.scratch = scratch
            let store = scratch.store
            let (a, b) = (self.a, self.b)
            try await store.write("test") { db in
                try InventoryStore.addStock(productID: a, sku: "A", units: 5, in: db)
                try InventoryStore.addStock(productID: b, sku: "B", units: 2, in: db)
            }
        }

        func available(_ product: String) async throws -> Int64? {
            try await store.read("test") { db in try InventoryStore.available(productID: product, in: db) }
        }

        func write<T: Sendable>(_ body: @escaping @Sendable (ServiceTransaction) throws -> T) async throws -> T {
            try await store.write("test", body)
        }

        /// A fresh fixture on `kind`'s database; ``close()`` it at the end.
        static func open(_ kind: ServiceDatabaseKind) async throws -> Fixture {
            try await Fixture(scratch: try await kind.open(sqlite: InventoryStore.migrate, postgres: InventoryStore.postgresMigrations))
        }

        /// Stops the store's connection pool (PostgreSQL) and removes its files (SQLite).
        func close() { scratch.close() }
    }

    @Test(arguments: ServiceDatabaseKind.available) func reserveTakesStockOnceAndARepeatReturnsTheSameReservation(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        let (a, b) = (t.a, t.b)
        let lines = [StockLine(productID: a, quantity: 2), StockLine(productID: b, quantity: 1), StockLine(productID: a, quantity: 1)]
        let first = try await t.write { db in try InventoryStore.reserve(orderID: "o1", lines: lines, in: db) }
        let again = try await t.write { db in try InventoryStore.reserve(orderID: "o1", lines: lines, in: db) }
        #expect(first == .done(InventoryStore.reservationID(orderID: "o1")))
        #expect(again == first)
        #expect(try await t.available(a) == 2)
        #expect(try await t.available(b) == 1)
    }

    @Test(arguments: ServiceDatabaseKind.available) func outOfStockReservesNothingFromAnyLine(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        let (a, b) = (t.a, t.b)
        let result = try await t.write { db in
            try InventoryStore.reserve(orderID: "o2", lines: [StockLine(productID: a, quantity: 1), StockLine(productID: b, quantity: 3)], in: db)
        }
        #expect(result.failure?.code == "OUT_OF_STOCK")
        let unknown = try await t.write { db in
            try InventoryStore.reserve(orderID: "o3", lines: [StockLine(productID: "no-such-product", quantity: 1)], in: db)
        }
        #expect(unknown.failure?.code == "OUT_OF_STOCK")
        #expect(try await t.available(a) == 5)
        #expect(try await t.available(b) == 2)
        #expect(try await t.store.read("test") { db in try InventoryStore.reservation(orderID: "o2", in: db) } == nil)
    }

    @Test(arguments: ServiceDatabaseKind.available, [Int64(0), -1])
    func nonPositiveQuantitiesAndEmptyOrdersAreRefused(_ kind: ServiceDatabaseKind, quantity: Int64) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        let a = t.a
        let result = try await t.write { db in
            try InventoryStore.reserve(orderID: "o4", lines: [StockLine(productID: a, quantity: quantity)], in: db)
        }
        #expect(result.failure?.code == "INVALID_ITEM")
        let empty = try await t.write { db in try InventoryStore.reserve(orderID: "o5", lines: [], in: db) }
        #expect(empty.failure?.code == "INVALID_ITEM")
        #expect(try await t.available(a) == 5)
    }

    @Test(arguments: ServiceDatabaseKind.available) func releaseGivesBackExactlyWhatWasTakenOnce(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        let (a, b) = (t.a, t.b)
        let reserved = try await t.write { db in
            try InventoryStore.reserve(orderID: "o6", lines: [StockLine(productID: a, quantity: 4), StockLine(productID: b, quantity: 2)], in: db)
        }
        let id = try #require(reserved.resultID)
        #expect(try await t.available(a) == 1)
        #expect(try await t.available(b) == 0)
        #expect(try await t.write { db in try InventoryStore.release(reservationID: id, in: db) } == .done(nil))
        #expect(try await t.write { db in try InventoryStore.release(reservationID: id, in: db) } == .done(nil))
        #expect(try await t.write { db in try InventoryStore.release(reservationID: "unknown", in: db) } == .done(nil))
        #expect(try await t.available(a) == 5)
        #expect(try await t.available(b) == 2)
        // A reserve of the same order after its release does not take stock again.
        let again = try await t.write { db in try InventoryStore.reserve(orderID: "o6", lines: [StockLine(productID: a, quantity: 1)], in: db) }
        #expect(again.failure?.code == "RESERVATION_RELEASED")
        #expect(try await t.available(a) == 5)
    }

    /// The saga releases a reservation whose outcome it does not know, by order id.
    @Test(arguments: ServiceDatabaseKind.available) func releaseByOrderGivesBackAReservationTheSagaNeverHeardOf(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        let a = t.a
        let reserved = try await t.write { db in try InventoryStore.reserve(orderID: "o9", lines: [StockLine(productID: a, quantity: 3)], in: db) }
        #expect(reserved.resultID != nil)
        #expect(try await t.available(a) == 2)
        #expect(try await t.write { db in try InventoryStore.release(orderID: "o9", in: db) } == .done(nil))
        #expect(try await t.write { db in try InventoryStore.release(orderID: "o9", in: db) } == .done(nil))
        #expect(try await t.available(a) == 5)
    }

    /// Released before it was reserved (the reserve command is late): nothing moves, and the late
    /// reserve is refused instead of taking stock nobody would give back.
    @Test(arguments: ServiceDatabaseKind.available) func releaseOfAnOrderNeverReservedRefusesALateReserve(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        let a = t.a
        #expect(try await t.write { db in try InventoryStore.release(orderID: "o10", in: db) } == .done(nil))
        #expect(try await t.write { db in try InventoryStore.release(orderID: "o10", in: db) } == .done(nil))
        let late = try await t.write { db in try InventoryStore.reserve(orderID: "o10", lines: [StockLine(productID: a, quantity: 1)], in: db) }
        #expect(late.failure?.code == "RESERVATION_RELEASED")
        #expect(try await t.available(a) == 5)
        let reservation = try await t.store.read("test") { db in try InventoryStore.reservation(orderID: "o10", in: db) }
        #expect(reservation?.status == "RELEASED" && reservation?.lines.isEmpty == true)
    }

    @Test(arguments: ServiceDatabaseKind.available) func stockCannotGoNegativeEvenThroughSQL(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        let a = t.a
        // The CHECK constraint refuses it on both databases (the store reports the database's error).
        await #expect(throws: SagaStoreError.self) {
            try await t.store.write("test") { db in try db.execute("UPDATE products SET available = -1 WHERE product_id = ?", [a]) }
        }
        await #expect(throws: DomainError.self) {
            try await t.store.write("test") { db in try InventoryStore.addStock(productID: a, sku: "A", units: -3, in: db) }
        }
        #expect(try await t.available(a) == 5)
    }

    @Test(arguments: ServiceDatabaseKind.available) func concurrentReservationsNeverOversell(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        let b = t.b
        let results = try await withThrowingTaskGroup(of: StepResult.self) { group in
            for index in 0..<6 {
                group.addTask {
                    try await t.store.write("test") { db in
                        try InventoryStore.reserve(orderID: "race-\(index)", lines: [StockLine(productID: b, quantity: 1)], in: db)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0.resultID != nil }.count == 2)
        #expect(results.filter { $0.failure?.code == "OUT_OF_STOCK" }.count == 4)
        #expect(try await t.available(b) == 0)
    }
}

/// Two batches of reservations in one transaction each, whose orders take the same two products
/// in opposite orders, on PostgreSQL: the first reserves A and pauses, the second (B, then A)
/// starts, then the first goes on to B. Each batch takes its products' locks first, in one order
/// (`InventoryService.prepare`), so the second waits before it holds a row and both commit;
/// without that, each held the product the other waited for and PostgreSQL failed one as a
/// deadlock.
@Suite(.enabled(if: TestDatabase.url != nil, Comment(rawValue: TestDatabase.missing)))
struct InventoryBatchLockTests {
    @Test func batchesTakingProductsInOppositeOrdersDoNotDeadlock() async throws {
        let fixture = try await InventoryStoreTests.Fixture.open(.postgres)
        defer { fixture.close() }
        let pause = TransactionPause()
        let orders = (0..<4).map { _ in UUID() }
        let pausing = text(orders[0])
        let participant = SagaParticipant(store: fixture.store, consumerName: InventoryService.name, prepare: InventoryService.prepare) {
            command, db in
            let reply = try InventoryService.handle(command, db)
            if command.sagaID == pausing { pause.pauseHere() }
            return reply
        }
        func reserve(_ index: Int, _ product: String) throws -> InboundMessage {
            let item = OrderItem(productId: try #require(UUID(uuidString: product)), sku: "X", quantity: 1, unitPriceMinor: 100)
            return try ContractCommand.inbound(
                ReserveStock(metadata: ContractCommand.metadata(orders[index], sagaType: "order"), orderId: orders[index], items: [item]),
                sagaID: orders[index], topic: "inventory.commands", sagaType: "order")
        }
        let results = try await interleave(
            first: [try reserve(0, fixture.a), try reserve(1, fixture.b)], second: [try reserve(2, fixture.b), try reserve(3, fixture.a)],
            on: participant, pause: pause, store: fixture.store)
        #expect(results == Array(repeating: .replied(.succeeded), count: 4), "\(results)")
        #expect(try await fixture.available(fixture.a) == 3)
        #expect(try await fixture.available(fixture.b) == 0)
    }
}
