// avro-bench: encode/decode throughput of a representative event (OrderPlaced with three
// items) through the generated type and through the generic AvroValue path.
//
//   avro-bench [--records N] [--seconds S] [--records-out FILE] [--only generated-decode|…]
//
// Prints one JSON object: for each path, records/s and MB/s (MB = 10^6 bytes of Avro body).
// With --records-out, also writes the records' binary bodies (each as a 4-byte little-endian
// length and the body) so fastavro can be measured on exactly the same records; see
// scripts/bench-avro, which runs both alternately and prints medians and ratios.

import ArgumentParser
import Avro
import Foundation
import SystemPackage
import SagaContracts

/// The benchmark's options.
struct Options: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "avro-bench", abstract: "Encode/decode throughput of OrderPlaced through the generated type and the generic path.")

    /// One measured path.
    enum Path: String, CaseIterable, ExpressibleByArgument {
        case generatedEncode = "generated-encode", generatedDecode = "generated-decode"
        case genericEncode = "generic-encode", genericDecode = "generic-decode"
    }

    @Option(help: "Distinct records per pass.") var records = 1_000
    @Option(help: "Seconds to measure each path.") var seconds = 0.5
    @Option(help: "Also write the records' bodies to this file (4-byte little-endian length, then the body).")
    var recordsOut: String?
    @Option(help: "Measure only this path, for profiling.") var only: Path?

    func validate() throws {
        guard records > 0 else { throw ValidationError("--records must be more than 0, got \(records)") }
        guard seconds > 0 else { throw ValidationError("--seconds must be more than 0, got \(seconds)") }
    }
}

/// Deterministic test data: the same records every run.
struct RecordFactory {
    var samples = AvroSampleValues(seed: 2026)

    mutating func uuid() -> UUID {
        let a = samples.next(), b = samples.next()
        let bytes = (0..<16).map { UInt8(truncatingIfNeeded: ($0 < 8 ? a : b) >> (8 * UInt64($0 % 8))) }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    mutating func order(_ index: Int) -> OrderPlaced {
        let orderId = uuid()
        let items = (0..<3).map { i in
            OrderItem(productId: uuid(), sku: "SKU-\(100_000 + samples.below(900_000))-\(i)",
                      quantity: Int32(1 + samples.below(5)), unitPriceMinor: Int64(99 + samples.below(250_000)))
        }
        return OrderPlaced(
            metadata: MessageMetadata(
                messageId: uuid(), sagaId: orderId, causationId: nil,
                occurredAt: Date(timeIntervalSince1970: Double(1_763_700_000_000 + Int64(index) * 37) / 1000),
                source: "order-service",
                traceParent: "00-\(String(samples.next(), radix: 16))\(String(samples.next(), radix: 16))-\(String(samples.next(), radix: 16))-01",
                replyTo: nil),
            orderId: orderId, customerId: uuid(), items: items, currency: "INR",
            paymentToken: "tok_\(String(samples.next(), radix: 36))")
    }
}

/// Runs `body` over all records repeatedly for at least `seconds`; returns records per second.
func measure(records: Int, seconds: Double, _ body: () throws -> Int) rethrows -> (perSecond: Double, checksum: Int) {
    var checksum = try body()  // warm-up
    var done = 0
    let clock = ContinuousClock()
    let start = clock.now
    var elapsed = Duration.zero
    repeat {
        checksum &+= try body()
        done += records
        elapsed = clock.now - start
    } while elapsed < .milliseconds(Int(seconds * 1000))
    let secondsTaken = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (Double(done) / secondsTaken, checksum)
}

func run() throws {
    let options = Options.parseOrExit()
    var factory = RecordFactory()
    let orders = (0..<options.records).map { factory.order($0) }
    let bodies = try orders.map { try $0.avroEncoded() }
    let totalBytes = bodies.reduce(0) { $0 + $1.count }
    let encoder = AvroBinaryEncoder(schema: OrderPlaced.avroSchema)
    let decoder = AvroBinaryDecoder(schema: OrderPlaced.avroSchema)
    let values = try bodies.map { try decoder.decode($0) }

    if let path = options.recordsOut {
        var file: [UInt8] = []
        for body in bodies {
            let n = UInt32(body.count)
            file += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
            file += body
        }
        try Data(file).write(to: URL(fileURLWithPath: path))
    }

    let seconds = { (path: Options.Path) in options.only == nil || options.only == path ? options.seconds : 0.001 }
    let generatedEncode = try measure(records: orders.count, seconds: seconds(.generatedEncode)) {
        var sum = 0
        for order in orders { sum &+= try order.avroEncoded().count }
        return sum
    }
    let generatedDecode = try measure(records: orders.count, seconds: seconds(.generatedDecode)) {
        var sum = 0
        for body in bodies { sum &+= Int(try OrderPlaced(avroEncoded: body).items[0].quantity) }
        return sum
    }
    let genericEncode = try measure(records: orders.count, seconds: seconds(.genericEncode)) {
        var sum = 0
        for value in values { sum &+= try encoder.encode(value).count }
        return sum
    }
    let genericDecode = try measure(records: orders.count, seconds: seconds(.genericDecode)) {
        var sum = 0
        for body in bodies { if case .record(let fields) = try decoder.decode(body) { sum &+= fields.count } }
        return sum
    }
    let bytesPerRecord = Double(totalBytes) / Double(orders.count)
    func entry(_ name: String, _ m: (perSecond: Double, checksum: Int)) -> String {
        "\"\(name)\": {\"records_per_s\": \(Int(m.perSecond)), \"mb_per_s\": \(Double(Int(m.perSecond * bytesPerRecord / 1e4)) / 100), \"checksum\": \(m.checksum)}"
    }
    print("{" + [
        "\"records\": \(orders.count)",
        "\"bytes_per_record\": \(Double(Int(bytesPerRecord * 10)) / 10)",
        entry("generated_encode", generatedEncode),
        entry("generated_decode", generatedDecode),
        entry("generic_encode", genericEncode),
        entry("generic_decode", genericDecode),
    ].joined(separator: ", ") + "}")
}

do {
    try run()
} catch {
    _ = try? FileDescriptor.standardError.writeAll("avro-bench: \(error)\n".utf8)  // a failed report of a failure has nowhere to go
    exit(1)
}
