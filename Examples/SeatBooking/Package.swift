// swift-tools-version: 6.1
import PackageDescription

// A package outside swift-saga that builds its own saga on the library products, as a user's
// would. In a real project the dependency is `.package(url: "…/swift-saga", from: "0.10.0")`;
// here it is the repository this example lives in.
//
// The test links librdkafka from the machine. swift-saga's own checkout keeps a current
// librdkafka in .deps/lib (scripts/setup); the test target points its run-time search path there.
// A project of your own links the librdkafka its machine has installed (see the README).
let librdkafkaSearchPath: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", Context.packageDirectory + "/../../.deps/lib"])
]

let package = Package(
    name: "seat-booking",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-saga", path: "../.."),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .target(
            name: "SeatBooking",
            dependencies: [
                .product(name: "SagaCore", package: "swift-saga"),
                .product(name: "SagaKafka", package: "swift-saga"),
                .product(name: "SagaSQLite", package: "swift-saga"),
                .product(name: "Kafka", package: "swift-saga"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "SeatBookingTests",
            dependencies: [
                "SeatBooking",
                .product(name: "SagaCore", package: "swift-saga"),
                .product(name: "SagaTestKit", package: "swift-saga"),
                .product(name: "SagaSQLite", package: "swift-saga"),
                .product(name: "Kafka", package: "swift-saga"),
            ],
            linkerSettings: librdkafkaSearchPath
        ),
    ],
    swiftLanguageModes: [.v6]
)
