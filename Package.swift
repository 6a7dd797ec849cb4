// swift-tools-version:6.0
// ssm-shell: a native shell for AWS Systems Manager. No Swift package dependencies:
// the C libraries come in as system-library targets (see docs/architecture.md).
import PackageDescription

let strict: [SwiftSetting] = [
    // C types must not leak into public API: every import is internal unless marked public.
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "ssm-shell",
    products: [.executable(name: "ssm-shell", targets: ["ssm-shell"])],
    targets: [
        // System libraries: module.modulemap + shim.h of typed, non-variadic wrappers.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .systemLibrary(name: "CSystem"),

        // Pure modules.
        .target(name: "Crypto", dependencies: ["CCrypto"], swiftSettings: strict),
        .target(name: "ShellLanguage", swiftSettings: strict),
        // JSONValue and its parser: no dependencies, shared by the AWS protocols and the data channel.
        .target(name: "JSON", swiftSettings: strict),
        .target(name: "SessionProtocol", dependencies: ["Crypto", "JSON"], swiftSettings: strict),
        .target(name: "AWSCore", dependencies: ["Crypto", "JSON"], swiftSettings: strict, linkerSettings: [.linkedLibrary("m")]),

        // The only module that does I/O.
        .target(name: "SystemIO", dependencies: ["AWSCore", "SessionProtocol", "Crypto", "CCurl", "CEditLine", "CSystem"], swiftSettings: strict),

        // App core and app.
        .target(name: "SSMCore", dependencies: ["AWSCore", "Crypto", "SessionProtocol", "ShellLanguage"], swiftSettings: strict),
        .target(name: "SSMShell", dependencies: ["SSMCore", "AWSCore", "SystemIO", "ShellLanguage", "SessionProtocol"], swiftSettings: strict),
        .executableTarget(name: "ssm-shell", dependencies: ["SSMShell"], swiftSettings: strict),

        // Test helpers (never in a product).
        .target(name: "TestSupport", dependencies: ["AWSCore", "SystemIO"], swiftSettings: strict),
        // Exits as main.swift does while threads use OpenSSL; run by ProcessExitTests.
        .executableTarget(name: "exit-probe", dependencies: ["SSMShell", "Crypto"], path: "Tests/ExitProbe", swiftSettings: strict),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ShellLanguageTests", dependencies: ["ShellLanguage", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "SessionProtocolTests", dependencies: ["SessionProtocol", "Crypto", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "AWSCoreTests", dependencies: ["AWSCore", "Crypto", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "SystemIOTests", dependencies: ["SystemIO", "AWSCore", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "SSMCoreTests", dependencies: ["SSMCore", "AWSCore", "SessionProtocol", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "SSMShellTests", dependencies: ["SSMShell", "SSMCore", "AWSCore", "SystemIO", "TestSupport", "exit-probe"], swiftSettings: strict),
    ]
)
