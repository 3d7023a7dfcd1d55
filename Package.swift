// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "triage",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "triage", targets: ["triage"]),
        .library(name: "TriageKit", targets: ["TriageKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
    ],
    targets: [
        // The data every layer shares: test cases, runs, signatures, records. No SQL, no I/O
        // beyond files the user names.
        .target(name: "TriageModel"),
        // The only target that talks SQL: the history on SQLite (GRDB) or PostgreSQL.
        .target(
            name: "TriageStore",
            dependencies: [
                "TriageModel",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // Ingest, signatures, analyses, remediation, reports and CI over the store.
        .target(
            name: "TriageKit",
            dependencies: [
                "TriageModel",
                "TriageStore",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "triage",
            dependencies: [
                "TriageKit",
                "TriageModel",
                "TriageStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "triage-bench",
            dependencies: ["TriageKit", "TriageModel", "TriageStore"]
        ),
        .testTarget(
            name: "TriageKitTests",
            dependencies: ["TriageKit", "TriageModel", "TriageStore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "TriageCLITests",
            dependencies: ["TriageKit", "TriageModel", "TriageStore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
