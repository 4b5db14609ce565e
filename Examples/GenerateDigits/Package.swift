// swift-tools-version: 6.0
import PackageDescription

// A program that uses Paradiffuse as a library: `swift run` here writes seven-0.png … seven-3.png.
let package = Package(
    name: "GenerateDigits",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Paradiffuse", path: "../..")],
    targets: [.executableTarget(name: "GenerateDigits", dependencies: [.product(name: "Paradiffuse", package: "Paradiffuse")])]
)
