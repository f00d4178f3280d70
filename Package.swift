// swift-tools-version: 6.1
import PackageDescription

/// Every binary of this package loads librdkafka from `.deps/lib` (installed by
/// `scripts/setup`) before the system's copy: Debian's 2.0.2 cannot talk to current
/// brokers. In production images a current librdkafka is installed system-wide and
/// this rpath points at nothing, which the loader ignores.
let runtimeLibrarySearchPath: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", Context.packageDirectory + "/.deps/lib"])
]

let package = Package(
    name: "swift-saga",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Kafka", targets: ["Kafka"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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
    ],
    swiftLanguageModes: [.v6]
)
