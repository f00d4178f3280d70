// swift-tools-version: 6.1
import PackageDescription

/// Every binary of this package loads librdkafka from `.deps/lib` (installed by
/// `scripts/setup`) before the system's copy: Debian's 2.0.2 cannot talk to current
/// brokers. In production images a current librdkafka is installed system-wide and
/// this rpath points at nothing, which the loader ignores.
let runtimeLibrarySearchPath: [LinkerSetting] = [
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
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "SagaEngine", targets: ["SagaEngine"]),
        .library(name: "Avro", targets: ["Avro"]),
        .library(name: "SagaContracts", targets: ["SagaContracts"]),
        .library(name: "SchemaRegistry", targets: ["SchemaRegistry"]),
        .library(name: "SagaAPI", targets: ["SagaAPI"]),
        .library(name: "SagaObservability", targets: ["SagaObservability"]),
        .executable(name: "sagactl", targets: ["sagactl"]),
        .executable(name: "saga-server", targets: ["saga-server"]),
        .library(name: "SagaDev", targets: ["SagaDev"]),
        .library(name: "SagaSystem", targets: ["SagaSystem"]),
        .executable(name: "avro-codegen", targets: ["avro-codegen"]),
        .plugin(name: "AvroCodegenPlugin", targets: ["AvroCodegenPlugin"]),
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
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // OTLP over HTTP/protobuf only: the gRPC trait would add grpc-swift to every build.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Children run to completion with stdout and stderr collected concurrently (EINTR-safe).
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        // Standard streams read and written with EINTR retried (Foundation's FileHandle traps on it).
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // ByteBuffer and TLS (a registry's CA file) for the schema registry client.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // The librdkafka C API (system library, headers from librdkafka-dev).
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // The Kafka client: the only module that touches librdkafka pointers.
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
        // Avro: schemas, binary/JSON encodings, resolution, fingerprints, framing. No Kafka.
        .target(name: "Avro"),
        .testTarget(
            name: "AvroTests",
            dependencies: ["Avro", subprocess],
            exclude: ["Fixtures"]
        ),
        // Avro schema → Swift source (the library behind the build-tool plugin).
        .target(name: "AvroCodegen", dependencies: ["Avro"]),
        .executableTarget(name: "avro-codegen", dependencies: ["AvroCodegen", swiftSystem]),
        // Generates Swift types from the package's schemas/*.avsc at build time.
        .plugin(name: "AvroCodegenPlugin", capability: .buildTool(), dependencies: ["avro-codegen"]),
        // The contracts of the sagas as Swift types (generated from schemas/).
        .target(name: "SagaContracts", dependencies: ["Avro"], plugins: ["AvroCodegenPlugin"]),
        // sagactl: the command line (schema tools, publish/tail, saga status, DLQ operations).
        .target(
            name: "SagaCLI",
            dependencies: [
                "Avro", "Kafka", "SagaEngine", "SagaContracts", "SagaDev", "SagaSystem", "SagaObservability", "ServiceKit",
                "AccountService", "SchemaRegistry",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                swiftSystem,
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
        .executableTarget(name: "sagactl", dependencies: ["SagaCLI"], linkerSettings: runtimeLibrarySearchPath),
        // Avro encode/decode throughput beside fastavro (scripts/bench-avro).
        .executableTarget(
            name: "avro-bench",
            dependencies: ["Avro", "SagaContracts", .product(name: "ArgumentParser", package: "swift-argument-parser"), swiftSystem]
        ),
        // Round-trip checks of generated types against the generic coder (tests only).
        .target(name: "AvroTestSupport", dependencies: ["Avro"]),
        // Its Schemas/*.avsc are generated by the plugin too: tricky cases, compiled and run.
        .testTarget(
            name: "AvroCodegenTests",
            dependencies: ["AvroCodegen", "Avro", "AvroTestSupport", subprocess, swiftSystem],
            plugins: ["AvroCodegenPlugin"]
        ),
        .testTarget(name: "SagaContractsTests", dependencies: ["SagaContracts", "Avro", "AvroTestSupport"]),
        // Confluent-compatible schema registries: a client, a resolver of schema ids for the decode
        // path, and the contracts as a read-only registry served over HTTP (Hummingbird routes).
        .target(
            name: "SchemaRegistry",
            dependencies: [
                "Avro",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The routes in process, the client against them, and confluent-kafka's Python serializers.
        .testTarget(
            name: "SchemaRegistryTests",
            dependencies: [
                "SchemaRegistry", "Avro", "SagaContracts",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                subprocess,
            ],
            exclude: ["Python"]
        ),
        // Runs the built sagactl (a dependency so it is built first) and tests its logic directly.
        .testTarget(
            name: "SagaCLITests",
            dependencies: [
                "SagaCLI", "SagaDev", "Avro", "Kafka", "SagaEngine", "SagaContracts", "SchemaRegistry", "sagactl", subprocess, swiftSystem,
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
        // Kafka throughput beside a C baseline (scripts/bench-kafka; c/ is built by that script).
        .executableTarget(
            name: "KafkaBenchmark",
            dependencies: [
                "Kafka",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/KafkaBenchmark",
            exclude: ["c"],
            linkerSettings: runtimeLibrarySearchPath
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka"],
            linkerSettings: runtimeLibrarySearchPath
        ),
        // The saga engine: definitions, the deterministic state machine, the durable store
        // (outbox, inbox, timers, DLQ replays) and the runtimes over Kafka.
        .target(
            name: "SagaEngine",
            dependencies: [
                "Avro",
                "Kafka",
                "SagaContracts",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // Logging (JSON lines), metrics (Prometheus) and tracing bootstrap for server processes.
        .target(
            name: "SagaObservability",
            dependencies: [
                "Avro", "SagaEngine",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "SagaObservabilityTests",
            dependencies: [
                "SagaObservability", "SagaEngine", "SagaTestSupport", "Kafka",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
        // Test sagas and participants shared by the tests, the crash harness and the benchmark.
        .target(
            name: "SagaTestSupport",
            dependencies: [
                "SagaEngine", "Kafka", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The process the crash test starts, SIGKILLs and restarts.
        .executableTarget(
            name: "saga-crash-harness",
            dependencies: [
                "SagaEngine", "SagaTestSupport", "Kafka", .product(name: "Logging", package: "swift-log"), swiftSystem,
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
        // Sagas per second and latency beside a bare produce/consume baseline (scripts/bench-saga).
        .executableTarget(
            name: "saga-bench",
            dependencies: [
                "SagaEngine", "SagaTestSupport", "Kafka", .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"), swiftSystem,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
        .testTarget(
            name: "SagaEngineTests",
            dependencies: [
                "SagaEngine", "SagaTestSupport", "Avro", "Kafka", "SagaContracts", "saga-crash-harness",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
        // The services of the two sagas, each on the participant runtime with its own SQLite database.
        .target(
            name: "ServiceKit", dependencies: ["SagaEngine", "SagaContracts", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/Services/ServiceKit"
        ),
        .target(
            name: "OrderService", dependencies: ["ServiceKit", "SagaEngine", "SagaContracts", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/Services/OrderService"
        ),
        .target(
            name: "InventoryService", dependencies: ["ServiceKit", "SagaEngine", "SagaContracts", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/Services/InventoryService"
        ),
        .target(
            name: "PaymentService", dependencies: ["ServiceKit", "SagaEngine", "SagaContracts", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/Services/PaymentService"
        ),
        .target(
            name: "AccountService", dependencies: ["ServiceKit", "SagaEngine", "SagaContracts", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/Services/AccountService"
        ),
        .target(
            name: "NotificationService",
            dependencies: [
                "ServiceKit", "SagaEngine", "SagaContracts", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Services/NotificationService"
        ),
        // The order and UPI transfer saga definitions and their start triggers.
        .target(name: "Sagas", dependencies: ["ServiceKit", "SagaEngine", "SagaContracts"]),
        // The HTTP API (Hummingbird): route groups over capability protocols, problem+json, idempotency.
        .target(
            name: "SagaAPI",
            dependencies: [
                "SagaEngine", "SagaContracts", "ServiceKit", "OrderService", "AccountService", "Kafka",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The orchestrator and the five services wired in one process on the test broker (tests only).
        .target(
            name: "SagaServicesTestSupport",
            dependencies: [
                "Sagas", "SagaTestSupport", "ServiceKit", "OrderService", "InventoryService", "PaymentService", "AccountService",
                "NotificationService", "SagaEngine", "SagaContracts", "Kafka",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SagaAPITests",
            dependencies: [
                "SagaAPI", "SagaServicesTestSupport", "SagaTestSupport", "Sagas", "ServiceKit", "OrderService", "InventoryService",
                "AccountService", "SagaEngine", "SagaContracts", "Kafka",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
        .testTarget(
            name: "SagasTests",
            dependencies: [
                "Sagas", "SagaTestSupport", "SagaServicesTestSupport", "ServiceKit", "OrderService", "InventoryService", "PaymentService",
                "AccountService", "NotificationService", "SagaEngine", "SagaContracts", "Kafka",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
        // Composition of the running system: settings (environment + flags), roles as
        // swift-service-lifecycle services, the per-process HTTP server, topics, demo data.
        .target(
            name: "SagaSystem",
            dependencies: [
                "Kafka", "SagaEngine", "SagaContracts", "Sagas", "ServiceKit", "OrderService", "InventoryService",
                "PaymentService", "AccountService", "NotificationService",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                "SagaAPI", "SagaObservability",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
        // The server executable: one role (or all) per process.
        .executableTarget(
            name: "saga-server",
            dependencies: [
                "SagaSystem", "Kafka", "SagaObservability",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), swiftSystem,
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
        // The whole system's sagas per second and latency beside the broker's bare produce and
        // produce→consume ceiling, measured in the same run (scripts/bench-system).
        .executableTarget(
            name: "system-bench",
            dependencies: [
                "SagaSystem", "SagaEngine", "SagaContracts", "ServiceKit", "OrderService", "InventoryService", "AccountService",
                "SagaTestSupport", "Kafka", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"), swiftSystem,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
        // Settings, topics, demo data, and saga-server run as a child process against the real broker.
        .testTarget(
            name: "SagaSystemTests",
            dependencies: [
                "SagaSystem", "SagaDev", "saga-server", "SagaTestSupport", "Sagas", "ServiceKit", "AccountService", "SagaEngine",
                "OrderService", "InventoryService", "PaymentService", "NotificationService",
                "SagaContracts", "Kafka", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"), subprocess, swiftSystem,
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
        // Local development: the Tansu broker as a child process, the multi-process topology of
        // every role on loopback, the demo workload (`sagactl dev`).
        .target(
            name: "SagaDev",
            dependencies: [
                "SagaSystem", "Kafka", "SagaEngine", "SagaContracts", "ServiceKit", "OrderService", "PaymentService",
                "AccountService", "Avro", "SagaAPI", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
        // sagactl dev as a child process, and the multi-process topology end to end (issue 6).
        .testTarget(
            name: "SagaDevTests",
            dependencies: [
                "SagaDev", "SagaSystem", "sagactl", "saga-server", "SagaTestSupport", "ServiceKit", "OrderService", "PaymentService",
                "AccountService", "InventoryService", "SagaEngine", "SagaContracts", "Kafka",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"), subprocess, swiftSystem,
            ],
            linkerSettings: runtimeLibrarySearchPath
        ),
    ],
    swiftLanguageModes: [.v6]
)
