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
        .library(name: "Avro", targets: ["Avro"]),
        .library(name: "SagaContracts", targets: ["SagaContracts"]),
        .executable(name: "sagactl", targets: ["sagactl"]),
        .executable(name: "avro-codegen", targets: ["avro-codegen"]),
        .plugin(name: "AvroCodegenPlugin", targets: ["AvroCodegenPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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
        // Avro: schemas, binary/JSON encodings, resolution, fingerprints, framing. No Kafka.
        .target(name: "Avro"),
        .testTarget(
            name: "AvroTests",
            dependencies: ["Avro"],
            exclude: ["Fixtures"]
        ),
        // Avro schema → Swift source (the library behind the build-tool plugin).
        .target(name: "AvroCodegen", dependencies: ["Avro"]),
        .executableTarget(name: "avro-codegen", dependencies: ["AvroCodegen"]),
        // Generates Swift types from the package's schemas/*.avsc at build time.
        .plugin(name: "AvroCodegenPlugin", capability: .buildTool(), dependencies: ["avro-codegen"]),
        // The contracts of the sagas as Swift types (generated from schemas/).
        .target(name: "SagaContracts", dependencies: ["Avro"], plugins: ["AvroCodegenPlugin"]),
        // sagactl: the command line (schema tools first).
        .target(
            name: "SagaCLI",
            dependencies: ["Avro", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "sagactl", dependencies: ["SagaCLI"]),
        // Avro encode/decode throughput beside fastavro (scripts/bench-avro).
        .executableTarget(name: "avro-bench", dependencies: ["Avro", "SagaContracts"]),
        .testTarget(name: "AvroCodegenTests", dependencies: ["AvroCodegen", "Avro"]),
        .testTarget(name: "SagaContractsTests", dependencies: ["SagaContracts", "Avro"]),
        .testTarget(name: "SagaCLITests", dependencies: ["SagaCLI", "Avro"]),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka"],
            linkerSettings: runtimeLibrarySearchPath
        ),
    ],
    swiftLanguageModes: [.v6]
)
