// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Paradiffuse",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Paradiffuse", targets: ["Paradiffuse"]),
        .library(name: "ParadiffuseDistributed", targets: ["ParadiffuseDistributed"]),
        .executable(name: "paradiffuse", targets: ["ParadiffuseCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .systemLibrary(name: "CDNNL", pkgConfig: "dnnl"),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "CKernels"),
        .target(name: "CPNGShim", dependencies: ["CPNG"]),
        .target(name: "CJPEGShim", dependencies: ["CJPEG"]),
        .target(name: "ParadiffuseTensors", dependencies: ["CDNNL", "CKernels"], linkerSettings: [.linkedLibrary("gomp")]),
        .target(name: "ParadiffuseLoading", dependencies: ["ParadiffuseTensors"]),
        .target(name: "ParadiffuseModels", dependencies: ["ParadiffuseTensors", "ParadiffuseLoading"]),
        .target(name: "ParadiffuseSchedulers", dependencies: ["ParadiffuseTensors", "ParadiffuseLoading"]),
        .target(name: "ParadiffuseSamplers", dependencies: ["ParadiffuseTensors", "ParadiffuseSchedulers"]),
        .target(name: "ParadiffuseTokenizers", dependencies: ["ParadiffuseLoading"]),
        .target(name: "ParadiffusePipelines", dependencies: [
            "ParadiffuseTensors", "ParadiffuseLoading", "ParadiffuseModels", "ParadiffuseSchedulers", "ParadiffuseSamplers",
            "ParadiffuseTokenizers", "CPNG", "CPNGShim", "CJPEGShim",
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.copy("DefaultModel")]),
        .target(name: "ParadiffuseDistributed", dependencies: [
            "CMPI", "CDNNL", "ParadiffuseLoading", "ParadiffuseSamplers", "ParadiffuseTensors",
        ], linkerSettings: [.linkedLibrary("gomp")]),
        .target(name: "Paradiffuse", dependencies: [
            "ParadiffuseLoading", "ParadiffuseModels", "ParadiffusePipelines", "ParadiffuseSamplers", "ParadiffuseSchedulers",
            "ParadiffuseTensors", "ParadiffuseTokenizers",
        ]),
        .executableTarget(name: "ParadiffuseCLI", dependencies: [
            "Paradiffuse",
            "ParadiffuseDistributed",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "ParadiffuseFuzzTargets", dependencies: [
            "ParadiffuseLoading", "ParadiffuseModels", "ParadiffuseSchedulers", "ParadiffuseTokenizers",
            "ParadiffusePipelines", "ParadiffuseTensors",
        ], path: "Fuzz/Targets"),
        .executableTarget(name: "paradiffuse-fuzz", dependencies: ["ParadiffuseFuzzTargets"], path: "Fuzz/Driver"),
        .executableTarget(name: "AttentionBenchmark", dependencies: ["ParadiffuseTensors"], path: "Benchmarks/AttentionBenchmark"),
        .target(name: "ParadiffuseTestSupport", dependencies: ["ParadiffuseTensors"], path: "Tests/ParadiffuseTestSupport"),
        .testTarget(name: "TensorsTests", dependencies: ["ParadiffuseTensors", "ParadiffuseLoading", "ParadiffuseTestSupport"], resources: []),
        .testTarget(name: "LoadingTests", dependencies: ["ParadiffuseLoading"]),
        .testTarget(name: "ModelsTests", dependencies: ["ParadiffuseModels", "ParadiffuseLoading", "ParadiffuseTestSupport"]),
        .testTarget(name: "SchedulersTests", dependencies: ["ParadiffuseSchedulers", "ParadiffuseLoading", "ParadiffuseTensors"]),
        .testTarget(name: "SamplersTests", dependencies: ["ParadiffuseSamplers", "ParadiffuseSchedulers", "ParadiffuseModels", "ParadiffuseLoading", "ParadiffuseTensors"]),
        .testTarget(name: "TokenizersTests", dependencies: ["ParadiffuseTokenizers", "ParadiffuseLoading"]),
        .testTarget(name: "PipelinesTests", dependencies: [
            "ParadiffusePipelines", "ParadiffuseSchedulers", "ParadiffuseTestSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["ParadiffuseFuzzTargets"]),
        .testTarget(name: "PropertyTests", dependencies: [
            "ParadiffuseLoading", "ParadiffuseTensors", "ParadiffuseTokenizers", "ParadiffuseDistributed",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "SourceRulesTests", exclude: ["programmer-error-checks.txt"]),
        .testTarget(name: "DistributedTests", dependencies: ["ParadiffuseDistributed", "ParadiffuseLoading", "ParadiffusePipelines", "ParadiffuseSamplers", "ParadiffuseTensors"]),
    ],
    swiftLanguageModes: [.v6]
)
