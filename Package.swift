// swift-tools-version: 6.1
import PackageDescription

// The package in layers (docs/architecture.md):
//   Core          SagaCore (the engine, no I/O), SagaTestKit (tests of definitions on it), Avro
//   Adapters      Kafka (librdkafka), SagaKafka, SagaSQLite, SagaPostgres, SagaAvro, SagaObservability
//   Sagas         the sagas we ship: SagaContracts, the participant services, SagaCatalog
//   Applications  SagaAPI, SagaSystem, SagaDev, SagaCLI, saga-server, sagactl
// A module depends only on its own layer and the ones above it in this list.

/// This repository's own executables and tests load librdkafka from `.deps/lib` (installed by
/// `scripts/setup`) before the system's copy: Debian's 2.0.2 cannot talk to current brokers.
/// Library targets carry no such flag (SwiftPM refuses unsafe flags in a dependency): a package
/// that depends on ours links the librdkafka its machine has installed (docs/architecture.md).
let developmentRuntimeLibraryPath: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", Context.packageDirectory + "/.deps/lib"])
]

/// EINTR-safe process and standard-stream I/O (Foundation's non-throwing FileHandle reads and
/// writes trap when a signal interrupts them).
let subprocess: Target.Dependency = .product(name: "Subprocess", package: "swift-subprocess")
let swiftSystem: Target.Dependency = .product(name: "SystemPackage", package: "swift-system")

let package = Package(
    name: "swift-saga",
    platforms: [.macOS(.v15)],
    products: [
        // The engine and its adapters: what a package building its own sagas depends on.
        .library(name: "SagaCore", targets: ["SagaCore"]),
        // Unit tests of saga definitions on the pure state machine: a virtual clock, no broker, no database.
        .library(name: "SagaTestKit", targets: ["SagaTestKit"]),
        .library(name: "SagaKafka", targets: ["SagaKafka"]),
        .library(name: "SagaSQLite", targets: ["SagaSQLite"]),
        .library(name: "SagaPostgres", targets: ["SagaPostgres"]),
        .library(name: "SagaAvro", targets: ["SagaAvro"]),
        .library(name: "SagaObservability", targets: ["SagaObservability"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "Avro", targets: ["Avro"]),
        .library(name: "SchemaRegistry", targets: ["SchemaRegistry"]),
        // Generates Swift types from a target's *.avsc files at build time.
        .plugin(name: "AvroCodegenPlugin", targets: ["AvroCodegenPlugin"]),
        .executable(name: "avro-codegen", targets: ["avro-codegen"]),
        // The system we ship.
        .executable(name: "saga-server", targets: ["saga-server"]),
        .executable(name: "sagactl", targets: ["sagactl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // OTLP over HTTP/protobuf only: the gRPC trait would add grpc-swift to every build.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Children run to completion with stdout and stderr collected concurrently (EINTR-safe).
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        // Standard streams read and written with EINTR retried (Foundation's FileHandle traps on it).
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // The PostgreSQL store (SagaPostgres): several orchestrator replicas on one database.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // SHA-256 of API bearer tokens (already in the graph through swift-certificates).
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // MARK: Core — no I/O dependencies
        // The engine: definitions and the DSL, the pure state machine, the envelope, the store
        // protocols and the processing cores of orchestrator and participant. No I/O dependency.
        .target(
            name: "SagaCore",
            dependencies: [.product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"), .product(name: "Tracing", package: "swift-distributed-tracing")],
            path: "Sources/Core/SagaCore"
        ),
        // Test kit for saga definitions: drives one saga through the pure state machine with a virtual
        // clock and deterministic randomness; replies, timeouts, redelivery, restarts, operator commands.
        .target(
            name: "SagaTestKit",
            dependencies: ["SagaCore"],
            path: "Sources/Core/SagaTestKit"
        ),
        // Avro: schemas, binary/JSON encodings, resolution, fingerprints, framing. No I/O.
        .target(
            name: "Avro",
            dependencies: [],
            path: "Sources/Core/Avro"
        ),

        // MARK: Adapters — Kafka, SQLite, Avro, observability around the core
        // The librdkafka C API (system library, headers from librdkafka-dev).
        .systemLibrary(name: "CRdKafka", path: "Sources/Adapters/CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        // The Kafka client: the only module that touches librdkafka pointers.
        .target(
            name: "Kafka",
            dependencies: ["CRdKafka", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics")],
            path: "Sources/Adapters/Kafka"
        ),
        // The engine on Kafka: consumption lanes, dead-letter sink and replayer, outbox publisher,
        // and the orchestrator and participant runners as swift-service-lifecycle services.
        .target(
            name: "SagaKafka",
            dependencies: ["Kafka", .product(name: "Logging", package: "swift-log"), "SagaCore", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Sources/Adapters/SagaKafka"
        ),
        // The engine's store on SQLite (GRDB), for orchestrators and participants.
        .target(
            name: "SagaSQLite",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift"), "SagaCore"],
            path: "Sources/Adapters/SagaSQLite"
        ),
        // The engine's store on PostgreSQL (postgres-nio), for several orchestrator replicas on one database.
        .target(
            name: "SagaPostgres",
            dependencies: [.product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "PostgresNIO", package: "postgres-nio"), "SagaCore", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Sources/Adapters/SagaPostgres"
        ),
        // Avro-generated types as engine payloads; saga reports as JSON.
        .target(
            name: "SagaAvro",
            dependencies: ["Avro", "SagaCore"],
            path: "Sources/Adapters/SagaAvro"
        ),
        // Confluent-compatible schema registries: a client, a resolver of schema ids for the decode path,
        // and a set of contracts as a read-only registry served over HTTP (Hummingbird routes).
        .target(
            name: "SchemaRegistry",
            dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client"), "Avro", .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl")],
            path: "Sources/Adapters/SchemaRegistry"
        ),
        // Logging (JSON lines), metrics (Prometheus) and tracing (OTLP) bootstrap for server processes.
        .target(
            name: "SagaObservability",
            dependencies: ["Avro", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"), .product(name: "OTel", package: "swift-otel"), .product(name: "Prometheus", package: "swift-prometheus"), "SagaCore", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Sources/Adapters/SagaObservability"
        ),

        // MARK: The sagas we ship — contracts, participant services, definitions
        // The contracts of the shipped sagas as Swift types (generated from schemas/ at build time),
        // their topics, and the lifecycle events' Avro encoder.
        .target(
            name: "SagaContracts",
            dependencies: ["Avro", "SagaAvro", "SagaCore"],
            path: "Sources/Sagas/Contracts",
            plugins: ["AvroCodegenPlugin"]
        ),
        // What the shipped participant services share (contract replies, envelopes, databases).
        .target(
            name: "ServiceKit",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"), .product(name: "PostgresNIO", package: "postgres-nio"), "SagaAvro", "SagaContracts", "SagaCore", "SagaPostgres", "SagaSQLite"],
            path: "Sources/Sagas/Services/ServiceKit"
        ),
        // The order service.
        .target(
            name: "OrderService",
            dependencies: [.product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"), "SagaContracts", "SagaCore", "SagaKafka", "SagaSQLite", "SagaPostgres", "ServiceKit"],
            path: "Sources/Sagas/Services/OrderService"
        ),
        // The inventory service.
        .target(
            name: "InventoryService",
            dependencies: [.product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"), "SagaContracts", "SagaCore", "SagaSQLite", "SagaPostgres", "ServiceKit"],
            path: "Sources/Sagas/Services/InventoryService"
        ),
        // The payment service.
        .target(
            name: "PaymentService",
            dependencies: [.product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"), "SagaContracts", "SagaCore", "SagaSQLite", "SagaPostgres", "ServiceKit"],
            path: "Sources/Sagas/Services/PaymentService"
        ),
        // The UPI account service.
        .target(
            name: "AccountService",
            dependencies: [.product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"), "SagaContracts", "SagaCore", "SagaSQLite", "SagaPostgres", "ServiceKit"],
            path: "Sources/Sagas/Services/AccountService"
        ),
        // The notification service.
        .target(
            name: "NotificationService",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"), "SagaContracts", "SagaCore", "SagaSQLite", "SagaPostgres", "ServiceKit"],
            path: "Sources/Sagas/Services/NotificationService"
        ),
        // The bill-settlement saga, written as a user writes theirs: the public API of the engine
        // and the contracts only (the worked example of docs/guide/your-first-saga.md).
        .target(
            name: "BillSettlement",
            dependencies: ["SagaContracts", "SagaCore", "ServiceKit"],
            path: "Sources/Sagas/BillSettlement"
        ),
        // The shipped sagas (order, UPI transfer, bill settlement): each registered once, with its trigger and topics.
        .target(
            name: "SagaCatalog",
            dependencies: ["BillSettlement", "SagaAvro", "SagaContracts", "SagaCore", "ServiceKit"],
            path: "Sources/Sagas/Catalog"
        ),

        // MARK: Applications — HTTP API, the running system, local development, the CLI
        // The HTTP API (Hummingbird): route groups over capability protocols, problem+json, idempotency.
        .target(
            name: "SagaAPI",
            dependencies: ["AccountService", .product(name: "AsyncHTTPClient", package: "async-http-client"), "Avro", .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift"), .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Hummingbird", package: "hummingbird"), "Kafka", .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"), "OrderService", .product(name: "Prometheus", package: "swift-prometheus"), "SagaAvro", "SagaContracts", "SagaCore", "SagaKafka", "SagaPostgres", "SagaSQLite", "ServiceKit", "SchemaRegistry"],
            path: "Sources/Applications/SagaAPI",
            // The web console's HTML, CSS and JavaScript, served at /console (ConsoleAssets).
            resources: [.copy("Console/Assets")]
        ),
        // The running system: settings, roles as services, the HTTP server, topics, demo data.
        .target(
            name: "SagaSystem",
            dependencies: ["AccountService", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Hummingbird", package: "hummingbird"), "InventoryService", "Kafka", .product(name: "Logging", package: "swift-log"), "NotificationService", "OrderService", "PaymentService", .product(name: "Prometheus", package: "swift-prometheus"), "SagaAPI", "SagaCatalog", "SagaContracts", "SagaCore", "SagaKafka", "SagaObservability", "SagaPostgres", "SagaSQLite", "ServiceKit", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "UnixSignals", package: "swift-service-lifecycle"), "Avro", "SagaAvro", "SchemaRegistry"],
            path: "Sources/Applications/SagaSystem"
        ),
        // Local development: the Tansu broker as a child process, the multi-process topology, the demo workload.
        .target(
            name: "SagaDev",
            dependencies: ["AccountService", .product(name: "AsyncHTTPClient", package: "async-http-client"), "Avro", .product(name: "GRDB", package: "GRDB.swift"), "Kafka", .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"), "OrderService", "PaymentService", "SagaAPI", "SagaCore", "SagaSQLite", "SagaSystem"],
            path: "Sources/Applications/SagaDev"
        ),
        // sagactl: schema tools, publish/tail, saga status, DLQ operations, doctor, dev.
        .target(
            name: "SagaCLI",
            dependencies: ["AccountService", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "AsyncHTTPClient", package: "async-http-client"), "Avro", "Kafka", .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"), "SagaAPI", "SagaAvro", "SagaContracts", "SagaCore", "SagaDev", "SagaKafka", "SagaObservability", "SagaPostgres", "SagaSQLite", "SagaSystem", "SchemaRegistry", "ServiceKit", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), swiftSystem, .product(name: "UnixSignals", package: "swift-service-lifecycle")],
            path: "Sources/Applications/SagaCLI"
        ),
        // The server executable: one role (or all) per process.
        .executableTarget(
            name: "saga-server",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser"), "Kafka", .product(name: "Logging", package: "swift-log"), "SagaContracts", "SagaCore", "SagaObservability", "SagaPostgres", "SagaSystem", swiftSystem],
            path: "Sources/Applications/saga-server",
            linkerSettings: developmentRuntimeLibraryPath
        ),
        // The command line.
        .executableTarget(
            name: "sagactl",
            dependencies: ["SagaCLI"],
            path: "Sources/Applications/sagactl",
            linkerSettings: developmentRuntimeLibraryPath
        ),

        // MARK: Tools
        // Avro schema → Swift source (the library behind the build-tool plugin).
        .target(
            name: "AvroCodegen",
            dependencies: ["Avro"],
            path: "Sources/Tools/AvroCodegen"
        ),
        .executableTarget(
            name: "avro-codegen",
            dependencies: ["AvroCodegen", swiftSystem],
            path: "Sources/Tools/avro-codegen"
        ),

        // MARK: Test support (tests, harnesses and benchmarks only)
        // What every test target may share: a seeded generator, the timeout error of waits.
        .target(name: "TestingSupport", path: "Tests/Support/TestingSupport"),
        // Round-trip checks of generated types against the generic coder (tests only).
        .target(
            name: "AvroTestSupport",
            dependencies: ["Avro"],
            path: "Tests/Support/AvroTestSupport"
        ),
        // Test sagas and participants shared by the tests, the crash harness and the benchmarks.
        .target(
            name: "SagaTestSupport",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift"), "Kafka", .product(name: "Logging", package: "swift-log"), "SagaAvro", "SagaCore", "SagaKafka", "TestingSupport"],
            path: "Tests/Support/SagaTestSupport"
        ),
        // The orchestrator and the five services wired in one process on the test broker (tests only).
        .target(
            name: "SagaServicesTestSupport",
            dependencies: ["AccountService", .product(name: "GRDB", package: "GRDB.swift"), "InventoryService", "Kafka", "NotificationService", "OrderService", "PaymentService", "SagaCatalog", "SagaContracts", "SagaCore", "SagaKafka", .product(name: "Logging", package: "swift-log"), "SagaPostgres", "SagaSQLite", "SagaTestSupport", "ServiceKit"],
            path: "Tests/Support/SagaServicesTestSupport"
        ),
        // The process the crash test starts, SIGKILLs and restarts.
        .executableTarget(
            name: "saga-crash-harness",
            dependencies: ["Kafka", .product(name: "Logging", package: "swift-log"), "SagaCore", "SagaKafka", "SagaSQLite", "SagaTestSupport", swiftSystem],
            path: "Tests/Support/saga-crash-harness",
            linkerSettings: developmentRuntimeLibraryPath
        ),

        // MARK: Benchmarks (release builds, scripts/bench-*)
        // Kafka throughput beside a C baseline (scripts/bench-kafka; c/ is built by that script).
        .executableTarget(
            name: "KafkaBenchmark",
            dependencies: ["Kafka", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/KafkaBenchmark",
            exclude: ["c"],
            linkerSettings: developmentRuntimeLibraryPath
        ),
        // Avro encode/decode throughput beside fastavro (scripts/bench-avro).
        .executableTarget(
            name: "avro-bench",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser"), "Avro", "SagaContracts", swiftSystem],
            path: "Benchmarks/avro-bench"
        ),
        // Sagas per second and latency beside a bare produce/consume baseline (scripts/bench-saga).
        .executableTarget(
            name: "saga-bench",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Histogram", package: "hdrhistogram-swift"), .product(name: "GRDB", package: "GRDB.swift"), "Kafka", .product(name: "Logging", package: "swift-log"), "SagaAvro", "SagaCore", "SagaKafka", "SagaSQLite", "SagaTestSupport", swiftSystem],
            path: "Benchmarks/saga-bench",
            linkerSettings: developmentRuntimeLibraryPath
        ),
        // The whole system beside the broker's bare ceiling, in the same run (scripts/bench-system).
        .executableTarget(
            name: "system-bench",
            dependencies: ["AccountService", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Histogram", package: "hdrhistogram-swift"), "InventoryService", "Kafka", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"), "OrderService", .product(name: "PostgresNIO", package: "postgres-nio"), "SagaContracts", "SagaCore", "SagaPostgres", "SagaSQLite", "SagaSystem", "SagaTestSupport", "ServiceKit", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), swiftSystem],
            path: "Benchmarks/system-bench",
            linkerSettings: developmentRuntimeLibraryPath
        ),

        // MARK: Tests — one target per module
        .testTarget(
            name: "AvroTests",
            dependencies: ["Avro", "TestingSupport", subprocess],
            path: "Tests/AvroTests",
            exclude: ["Fixtures"]
        ),
        // Its Schemas/*.avsc are generated by the plugin too: tricky cases, compiled and run.
        .testTarget(
            name: "AvroCodegenTests",
            dependencies: ["Avro", "AvroCodegen", "AvroTestSupport", subprocess, swiftSystem],
            path: "Tests/AvroCodegenTests",
            plugins: ["AvroCodegenPlugin"]
        ),
        .testTarget(
            name: "SagaContractsTests",
            dependencies: ["Avro", "AvroTestSupport", "SagaAvro", "SagaContracts", "SagaCore"],
            path: "Tests/SagaContractsTests"
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka", "TestingSupport", .product(name: "Logging", package: "swift-log")],
            path: "Tests/KafkaTests",
            linkerSettings: developmentRuntimeLibraryPath
        ),
        // The routes in process, the client against them, and confluent-kafka's Python serializers.
        .testTarget(
            name: "SchemaRegistryTests",
            dependencies: ["Avro", .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"), "SagaContracts", "SchemaRegistry", subprocess],
            path: "Tests/SchemaRegistryTests",
            exclude: ["Python"]
        ),
        .testTarget(
            name: "SagaCoreTests",
            dependencies: ["Avro", .product(name: "GRDB", package: "GRDB.swift"), "SagaAvro", "SagaContracts", "SagaCore", "SagaSQLite", "SagaTestKit", "SagaTestSupport"],
            path: "Tests/SagaCoreTests",
            linkerSettings: developmentRuntimeLibraryPath
        ),
        // The test kit on a tiny saga of its own.
        .testTarget(
            name: "SagaTestKitTests",
            dependencies: ["SagaCore", "SagaTestKit"],
            path: "Tests/SagaTestKitTests"
        ),
        // One conformance suite over every store (SQLite, and PostgreSQL at SAGA_TEST_DATABASE_URL).
        .testTarget(
            name: "SagaStoreTests",
            dependencies: ["Avro", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"), "SagaAvro", "SagaCore", "SagaPostgres", "SagaSQLite", "SagaTestSupport"],
            path: "Tests/SagaStoreTests",
            linkerSettings: developmentRuntimeLibraryPath
        ),
        .testTarget(
            name: "SagaKafkaTests",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift"), "Kafka", .product(name: "Logging", package: "swift-log"), "SagaAvro", "SagaContracts", "SagaCore", "SagaKafka", "SagaSQLite", "SagaTestSupport", "saga-crash-harness"],
            path: "Tests/SagaKafkaTests",
            linkerSettings: developmentRuntimeLibraryPath
        ),
        .testTarget(
            name: "SagaObservabilityTests",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift"), .product(name: "InMemoryTracing", package: "swift-distributed-tracing"), "Kafka", .product(name: "Logging", package: "swift-log"), .product(name: "Prometheus", package: "swift-prometheus"), "SagaAvro", "SagaCore", "SagaKafka", "SagaObservability", "SagaSQLite", "SagaTestSupport", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Tracing", package: "swift-distributed-tracing")],
            path: "Tests/SagaObservabilityTests",
            linkerSettings: developmentRuntimeLibraryPath
        ),
        // Every path of the bill-settlement saga on the test kit (no broker, no database).
        .testTarget(
            name: "BillSettlementTests",
            dependencies: ["BillSettlement", "SagaContracts", "SagaCore", "SagaTestKit", "ServiceKit"],
            path: "Tests/BillSettlementTests"
        ),
        .testTarget(
            name: "SagaCatalogTests",
            dependencies: ["AccountService", "Avro", "BillSettlement", .product(name: "GRDB", package: "GRDB.swift"), "InventoryService", "Kafka", .product(name: "Logging", package: "swift-log"), "NotificationService", "OrderService", "PaymentService", "SagaAvro", "SagaCatalog", "SagaContracts", "SagaCore", "SagaPostgres", "SagaSQLite", "SagaServicesTestSupport", "SagaTestKit", "SagaTestSupport", "ServiceKit"],
            path: "Tests/SagaCatalogTests",
            linkerSettings: developmentRuntimeLibraryPath
        ),
        .testTarget(
            name: "SagaAPITests",
            dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client"), "Avro", .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"), "Kafka", .product(name: "NIOCore", package: "swift-nio"), "OrderService", .product(name: "Prometheus", package: "swift-prometheus"), "SagaAPI", "SagaAvro", "SagaCore", "SagaSQLite", "SagaServicesTestSupport", "SagaTestSupport", "ServiceKit", .product(name: "Yams", package: "Yams"), "SagaContracts", "SchemaRegistry", "SagaKafka"],
            path: "Tests/SagaAPITests",
            linkerSettings: developmentRuntimeLibraryPath
        ),
        // Settings, topics, demo data, and saga-server run as a child process against the real broker.
        .testTarget(
            name: "SagaSystemTests",
            dependencies: ["Avro", "AccountService", "BillSettlement", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "GRDB", package: "GRDB.swift"), "InventoryService", "Kafka", "NotificationService", "OrderService", "PaymentService", .product(name: "Prometheus", package: "swift-prometheus"), "SagaAPI", "SagaContracts", "SagaCore", "SagaDev", "SagaPostgres", "SagaSQLite", "SagaSystem", "SagaTestSupport", "ServiceKit", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), subprocess, swiftSystem, "saga-server", "SagaAvro", "SchemaRegistry", "SagaKafka", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird")],
            path: "Tests/SagaSystemTests",
            exclude: ["Python"],
            linkerSettings: developmentRuntimeLibraryPath
        ),
        // Runs the built sagactl (a dependency so it is built first) and tests its logic directly.
        .testTarget(
            name: "SagaCLITests",
            dependencies: ["Avro", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"), "Kafka", .product(name: "Logging", package: "swift-log"), "SagaAPI", "SagaAvro", "SagaCLI", "SagaContracts", "SagaCore", "SagaDev", "SagaKafka", "SagaSQLite", "SagaTestSupport", "SchemaRegistry", subprocess, swiftSystem, "sagactl"],
            path: "Tests/SagaCLITests",
            linkerSettings: developmentRuntimeLibraryPath
        ),
        // sagactl dev as a child process, and the multi-process topology end to end.
        .testTarget(
            name: "SagaDevTests",
            dependencies: ["AccountService", .product(name: "GRDB", package: "GRDB.swift"), "Kafka", "OrderService", "PaymentService", "SagaAPI", "SagaContracts", "SagaCore", "SagaDev", "SagaPostgres", "SagaSQLite", "SagaSystem", "SagaTestSupport", "ServiceKit", subprocess, swiftSystem, "sagactl", "saga-server"],
            path: "Tests/SagaDevTests",
            linkerSettings: developmentRuntimeLibraryPath
        ),
        // The web console: its routes in process, and a real browser (headless chromium, Selenium) driving it against a running system.
        .testTarget(
            name: "ConsoleTests",
            dependencies: ["AccountService", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"), "Kafka", "SagaAPI", "SagaContracts", "SagaCore", "SagaKafka", "SagaSQLite", "SagaSystem", "SagaTestSupport", "ServiceKit", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), subprocess],
            path: "Tests/ConsoleTests",
            exclude: ["Python"],
            linkerSettings: developmentRuntimeLibraryPath
        ),
        .plugin(name: "AvroCodegenPlugin", capability: .buildTool(), dependencies: ["avro-codegen"]),
    ],
    swiftLanguageModes: [.v6]
)
