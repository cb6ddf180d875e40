// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "procctl",
    // Linux only, declared once, in CProcShim.h (an #error elsewhere): the shim is built
    // on epoll, pidfd, memfd, prctl, futex and /proc. No `platforms:` entry, since
    // SwiftPM's list names Apple platforms only.
    products: [
        .library(name: "ProcCore", targets: ["ProcCore"]),
        .executable(name: "procctl", targets: ["procctl"]),
    ],
    dependencies: [
        // The CLI: parsing, usage and errors for bad arguments.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Errno: Swift names and descriptions for errno values.
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // `swift package generate-documentation`: ProcCore's DocC reference. A plugin only:
        // nothing of it is linked into ProcCore or procctl.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // HMAC-MD5, HMAC-SHA256 and HMAC-SHA384 for Python's multiprocessing.connection
        // authkey handshake (Listener, Client): a well-kept, reviewed implementation rather
        // than a hand-written one. 4.x, not 3.x: 3.x imports all of Foundation (ICU with it),
        // which the static procctl cannot link; 4.x uses FoundationEssentials, which procctl
        // links already (swift-argument-parser). Cost, measured: BoringSSL's C sources add
        // about 4 minutes to a clean debug build on two busy cores, and procctl grows by
        // 5.6 MB stripped (21.8 -> 27.3 MB, debug). ProcCore calls it only in a handshake.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        .target(name: "CProcShim"),
        .target(
            name: "ProcCore",
            dependencies: [
                "CProcShim",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "procctl",
            dependencies: [
                "ProcCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // A fork copies the page tables of every mapping and every page the parent
            // has written, and each page written after it faults. A fully static, non-PIE
            // executable has 10 mappings instead of 39 (no ld.so, libc, libstdc++, libm,
            // libgcc_s) and no relocated data pages: a ChildProcess fork costs about a
            // third less than with -static-stdlib (see README, Benchmarks). lld, shipped
            // with the toolchain, links it without GNU ld's warnings about glibc functions
            // that only FoundationEssentials (pulled in by swift-argument-parser) calls.
            // The two Foundation libraries are FoundationEssentials' own dependencies.
            linkerSettings: [.unsafeFlags([
                "-static-executable", "-use-ld=lld",
                "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-l_FoundationCShims",
            ])]
        ),
        // The README's example: a line server in a dozen lines on ProcCore (run by ExampleServerTests).
        .executableTarget(name: "LineServer", dependencies: ["ProcCore"], path: "Examples/LineServer"),
        // Helpers the three test targets share: pipes, /proc, a bounded wait. Built for the tests only.
        .target(name: "ProcTestSupport", dependencies: ["CProcShim"], path: "Tests/ProcTestSupport"),
        .testTarget(name: "CProcShimTests", dependencies: ["CProcShim", "ProcTestSupport"]),
        .testTarget(name: "ProcCoreTests", dependencies: ["ProcCore", "CProcShim", "ProcTestSupport"]),
        // Drives the built procctl through the shim and libc alone: not through ProcCore, on which procctl is built.
        .testTarget(name: "ProcctlEndToEndTests", dependencies: ["CProcShim", "ProcTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer targets for BinaryDecoder and the PROXY header parser, declared only when
// PROCCTL_FUZZ is set (Benchmarks/fuzz-decoder.sh and fuzz-proxy-header.sh build them with
// -sanitize=fuzzer): they call libFuzzer's
// driver, which only that flag links, so a plain `swift build` must not try to link it.
if Context.environment["PROCCTL_FUZZ"] != nil {
    package.targets.append(.target(name: "FuzzDriver", path: "Fuzz/FuzzDriver"))
    package.targets.append(.executableTarget(name: "DecoderFuzz", dependencies: ["ProcCore", "FuzzDriver"], path: "Fuzz/DecoderFuzz"))
    package.targets.append(.executableTarget(name: "ProxyHeaderFuzz", dependencies: ["ProcCore", "FuzzDriver"], path: "Fuzz/ProxyHeaderFuzz"))
}
