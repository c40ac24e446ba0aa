// swift-tools-version:6.0
import PackageDescription

// Layers (see Docs/architecture.md): C system libraries -> JSON / MLMD -> Registry -> API
// -> FastCGIServer -> the `model-registry` executable.
let package = Package(
    name: "model-registry",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "model-registry", targets: ["ModelRegistryCLI"]),
        // libmodelregistry.so: the C ABI used by the Python SDK and any C program.
        .library(name: "modelregistry", type: .dynamic, targets: ["ModelRegistryC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi",
                       providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CJansson", pkgConfig: "jansson",
                       providers: [.apt(["libjansson-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),

        .target(name: "JSON", dependencies: ["CJansson"]),
        .target(name: "MLMD", dependencies: ["CSQLite"]),
        .target(name: "Registry", dependencies: ["MLMD", "JSON"]),
        .target(name: "API", dependencies: ["Registry", "JSON"], resources: [.copy("Resources/openapi.yaml")]),
        .target(name: "FastCGIServer", dependencies: [
            "API", "JSON", "CFastCGI",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "ModelRegistryC", dependencies: ["API", "JSON", "CCurl"]),
        // Maintenance operations behind the admin subcommands (migrate, check, backup, ...).
        .target(name: "Admin", dependencies: ["Registry", "MLMD", "API", "JSON", "CSQLite"]),
        .executableTarget(name: "ModelRegistryCLI", dependencies: [
            "FastCGIServer", "API", "Registry", "MLMD", "Admin",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // libFuzzer targets (fuzz/run.sh builds them with -sanitize=fuzzer); an ordinary build
        // makes a replayer for their corpora.
        .executableTarget(name: "RegistryFuzz", dependencies: ["API", "JSON"], path: "fuzz/Sources/RegistryFuzz"),

        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "MLMDTests", dependencies: ["MLMD"]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "MLMD", "JSON", "CSQLite"]),
        .testTarget(name: "APITests", dependencies: ["API", "Registry", "JSON"]),
        .testTarget(name: "FastCGIServerTests", dependencies: ["FastCGIServer", "API"]),
        .testTarget(name: "ModelRegistryCTests", dependencies: ["ModelRegistryC", "API"]),
        .testTarget(name: "AdminTests", dependencies: ["Admin", "Registry", "MLMD", "API", "JSON"]),
    ],
    swiftLanguageModes: [.v5]
)
