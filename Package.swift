// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Paradiffuse",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Paradiffuse", targets: ["Pipelines"]),
        .executable(name: "paradiffuse", targets: ["paradiffuse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CDNNL", pkgConfig: "dnnl"),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "CKernels"),
        .target(name: "CPNGShim", dependencies: ["CPNG"]),
        .target(name: "Tensors", dependencies: ["CDNNL", "CKernels"], linkerSettings: [.linkedLibrary("gomp")]),
        .target(name: "Loading", dependencies: ["Tensors"]),
        .target(name: "Models", dependencies: ["Tensors", "Loading"]),
        .target(name: "Schedulers", dependencies: ["Tensors", "Loading"]),
        .target(name: "Samplers", dependencies: ["Tensors", "Schedulers"]),
        .target(name: "Tokenizers", dependencies: ["Loading"]),
        .target(name: "Pipelines", dependencies: ["Tensors", "Loading", "Models", "Schedulers", "Samplers", "Tokenizers", "CPNG", "CPNGShim"],
                resources: [.copy("DefaultModel")]),
        .target(name: "Distributed", dependencies: ["CMPI", "CDNNL", "Loading", "Samplers", "Tensors"],
                linkerSettings: [.linkedLibrary("gomp")]),
        .executableTarget(name: "paradiffuse", dependencies: [
            "Loading",
            "Pipelines",
            "Distributed",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "FuzzTargets", dependencies: ["Loading", "Models", "Schedulers", "Tokenizers", "Pipelines", "Tensors"],
                path: "Fuzz/Targets"),
        .executableTarget(name: "paradiffuse-fuzz", dependencies: ["FuzzTargets"], path: "Fuzz/Driver"),
        .executableTarget(name: "AttentionBenchmark", dependencies: ["Tensors"], path: "Benchmarks/AttentionBenchmark"),
        .target(name: "TestSupport", dependencies: ["Tensors"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "Loading", "TestSupport"], resources: []),
        .testTarget(name: "LoadingTests", dependencies: ["Loading"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Loading", "TestSupport"]),
        .testTarget(name: "SchedulersTests", dependencies: ["Schedulers", "Loading", "Tensors"]),
        .testTarget(name: "SamplersTests", dependencies: ["Samplers", "Schedulers", "Models", "Loading", "Tensors"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "Loading"]),
        .testTarget(name: "PipelinesTests", dependencies: ["Pipelines", "Schedulers", "TestSupport"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzTargets"]),
        .testTarget(name: "PropertyTests", dependencies: [
            "Loading", "Tensors", "Tokenizers", "Distributed",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "SourceRulesTests", exclude: ["programmer-error-checks.txt"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed", "Loading", "Pipelines", "Samplers", "Tensors"]),
    ],
    swiftLanguageModes: [.v5]
)
