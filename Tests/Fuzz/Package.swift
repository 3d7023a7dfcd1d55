// swift-tools-version:6.1
// The libFuzzer target, in its own package so that the main package's `swift build` and
// `swift test` never see a `LLVMFuzzerTestOneInput` entry point (it links only with
// `-sanitize=fuzzer`). Built and run by Tests/Scripts/fuzz.sh.
import PackageDescription

let package = Package(
    name: "triage-fuzz",
    dependencies: [.package(name: "triage", path: "../..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .executableTarget(
            name: "triage-fuzz",
            dependencies: ["CFuzzDriver", .product(name: "TriageKit", package: "triage")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)
