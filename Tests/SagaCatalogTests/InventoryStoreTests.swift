import SagaTestSupport
import Foundation
import GRDB
import InventoryService
import SagaCore
import SagaSQLite
import SagaServicesTestSupport
import ServiceKit
import Testing

/// The inventory's rules against its real SQLite store.
@Suite struct InventoryStoreTests {
    let directory: TemporaryDirectory
    let store: SQLiteSagaStore
    let a = UUID().uuidString.lowercased(), b = UUID().uuidString.lowercased()

    init() async throws {
        directory = try TemporaryDirectory()
        store = try await scratchStore(directory, InventoryStore.migrate)
        let (a, b) = (self.a, self.b)
        try await store.pool.write { db in
            try InventoryStore.addStock(productID: a, sku: "A", units: 5, in: db)
            try InventoryStore.addStock(productID: b, sku: "B", units: 2, in: db)
        }
    }

    func available(_ product: String) async throws -> Int64? {
        try await store.pool.read { db in try InventoryStore.available(productID: product, in: db) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await store.pool.write(body)
    }

    @Test func reserveTakesStockOnceAndARepeatReturnsTheSameReservation() async throws {
        let (a, b) = (self.a, self.b)
        let lines = [StockLine(productID: a, quantity: 2), StockLine(productID: b, quantity: 1), StockLine(productID: a, quantity: 1)]
        let first = try await write { db in try InventoryStore.reserve(orderID: "o1", lines: lines, in: db) }
        let again = try await write { db in try InventoryStore.reserve(orderID: "o1", lines: lines, in: db) }
        #expect(first == .done(InventoryStore.reservationID(orderID: "o1")))
        #expect(again == first)
        #expect(try await available(a) == 2)
        #expect(try await available(b) == 1)
    }

    @Test func outOfStockReservesNothingFromAnyLine() async throws {
        let (a, b) = (self.a, self.b)
        let result = try await write { db in
            try InventoryStore.reserve(orderID: "o2", lines: [StockLine(productID: a, quantity: 1), StockLine(productID: b, quantity: 3)], in: db)
        }
        #expect(result.failure?.code == "OUT_OF_STOCK")
        let unknown = try await write { db in
            try InventoryStore.reserve(orderID: "o3", lines: [StockLine(productID: "no-such-product", quantity: 1)], in: db)
        }
        #expect(unknown.failure?.code == "OUT_OF_STOCK")
        #expect(try await available(a) == 5)
        #expect(try await available(b) == 2)
        #expect(try await store.pool.read { db in try InventoryStore.reservation(orderID: "o2", in: db) } == nil)
    }

    @Test(arguments: [Int64(0), -1])
    func nonPositiveQuantitiesAndEmptyOrdersAreRefused(quantity: Int64) async throws {
        let a = self.a
        let result = try await write { db in try InventoryStore.reserve(orderID: "o4", lines: [StockLine(productID: a, quantity: quantity)], in: db) }
        #expect(result.failure?.code == "INVALID_ITEM")
        let empty = try await write { db in try InventoryStore.reserve(orderID: "o5", lines: [], in: db) }
        #expect(empty.failure?.code == "INVALID_ITEM")
        #expect(try await available(a) == 5)
    }

    @Test func releaseGivesBackExactlyWhatWasTakenOnce() async throws {
        let (a, b) = (self.a, self.b)
        let reserved = try await write { db in
            try InventoryStore.reserve(orderID: "o6", lines: [StockLine(productID: a, quantity: 4), StockLine(productID: b, quantity: 2)], in: db)
        }
        let id = try #require(reserved.resultID)
        #expect(try await available(a) == 1)
        #expect(try await available(b) == 0)
        #expect(try await write { db in try InventoryStore.release(reservationID: id, in: db) } == .done(nil))
        #expect(try await write { db in try InventoryStore.release(reservationID: id, in: db) } == .done(nil))
        #expect(try await write { db in try InventoryStore.release(reservationID: "unknown", in: db) } == .done(nil))
        #expect(try await available(a) == 5)
        #expect(try await available(b) == 2)
        // A reserve of the same order after its release does not take stock again.
        let again = try await write { db in try InventoryStore.reserve(orderID: "o6", lines: [StockLine(productID: a, quantity: 1)], in: db) }
        #expect(again.failure?.code == "RESERVATION_RELEASED")
        #expect(try await available(a) == 5)
    }

    /// The saga releases a reservation whose outcome it does not know, by order id.
    @Test func releaseByOrderGivesBackAReservationTheSagaNeverHeardOf() async throws {
        let a = self.a
        let reserved = try await write { db in try InventoryStore.reserve(orderID: "o9", lines: [StockLine(productID: a, quantity: 3)], in: db) }
        #expect(reserved.resultID != nil)
        #expect(try await available(a) == 2)
        #expect(try await write { db in try InventoryStore.release(orderID: "o9", in: db) } == .done(nil))
        #expect(try await write { db in try InventoryStore.release(orderID: "o9", in: db) } == .done(nil))
        #expect(try await available(a) == 5)
    }

    /// Released before it was reserved (the reserve command is late): nothing moves, and the late
    /// reserve is refused instead of taking stock nobody would give back.
    @Test func releaseOfAnOrderNeverReservedRefusesALateReserve() async throws {
        let a = self.a
        #expect(try await write { db in try InventoryStore.release(orderID: "o10", in: db) } == .done(nil))
        #expect(try await write { db in try InventoryStore.release(orderID: "o10", in: db) } == .done(nil))
        let late = try await write { db in try InventoryStore.reserve(orderID: "o10", lines: [StockLine(productID: a, quantity: 1)], in: db) }
        #expect(late.failure?.code == "RESERVATION_RELEASED")
        #expect(try await available(a) == 5)
        let reservation = try await store.pool.read { db in try InventoryStore.reservation(orderID: "o10", in: db) }
        #expect(reservation?.status == "RELEASED" && reservation?.lines.isEmpty == true)
    }

    @Test func stockCannotGoNegativeEvenThroughSQL() async throws {
        let a = self.a
        await #expect(throws: DatabaseError.self) {
            try await store.pool.write { db in try db.execute(sql: "UPDATE products SET available = -1 WHERE product_id = ?", arguments: [a]) }
        }
        await #expect(throws: DomainError.self) {
            try await store.pool.write { db in try InventoryStore.addStock(productID: a, sku: "A", units: -3, in: db) }
        }
        #expect(try await available(a) == 5)
    }

    @Test func concurrentReservationsNeverOversell() async throws {
        let b = self.b
        let results = try await withThrowingTaskGroup(of: StepResult.self) { group in
            for index in 0..<6 {
                group.addTask {
                    try await store.pool.write { db in
                        try InventoryStore.reserve(orderID: "race-\(index)", lines: [StockLine(productID: b, quantity: 1)], in: db)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0.resultID != nil }.count == 2)
        #expect(results.filter { $0.failure?.code == "OUT_OF_STOCK" }.count == 4)
        #expect(try await available(b) == 0)
    }
}
