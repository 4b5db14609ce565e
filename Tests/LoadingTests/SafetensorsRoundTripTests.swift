import Foundation
import Testing
import ParadiffuseTensors
@testable import ParadiffuseLoading

@Test func writtenTensorsReadBackUnchanged() throws {
    let folder = try TemporaryFolder()
    let url = folder.file("weights.safetensors")
    let weight = Tensor(shape: [2, 3], scalars: [1, -2.5, 3e-8, .infinity, -0.0, 65504])
    let bias = Tensor(shape: [3], scalars: [0.25, 0.5, 0.75])
    let scalar = Tensor(shape: [], scalars: [42])
    let empty = Tensor(shape: [0, 4], scalars: [])
    try SafetensorsWriter.write(["layer.weight": weight, "layer.bias": bias, "scale": scalar, "empty": empty],
                                metadata: ["format": "pt", "note": "a/b \"quoted\""], to: url, overwrite: false)

    let file = try SafetensorsFile(url: url)
    #expect(file.tensorNames == ["empty", "layer.bias", "layer.weight", "scale"])
    #expect(file.metadata == ["format": "pt", "note": "a/b \"quoted\""])
    #expect(try file.info(named: "layer.weight").dtype == "F32")
    #expect(try file.info(named: "layer.weight").shape == [2, 3])
    for (name, original) in [("layer.weight", weight), ("layer.bias", bias), ("scale", scalar), ("empty", empty)] {
        let loaded = try file.tensor(named: name)
        #expect(loaded.shape == original.shape)
        #expect(loaded.scalars.map(\.bitPattern) == original.scalars.map(\.bitPattern), "\(name)")
    }
}

@Test func writerKeepsDataSectionAlignedAndLeavesNoTemporaryFiles() throws {
    let folder = try TemporaryFolder()
    let url = folder.file("aligned.safetensors")
    try SafetensorsWriter.write(["x": Tensor(shape: [1], scalars: [1])], metadata: ["k": "v"], to: url, overwrite: false)
    let bytes = try Data(contentsOf: url)
    let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    #expect(headerLength % 8 == 0)
    #expect(bytes.count == 8 + headerLength + 4)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["aligned.safetensors"])
}

@Test func writerReplacesAnExistingFileOnlyWhenAsked() throws {
    let folder = try TemporaryFolder()
    let url = folder.file("replaced.safetensors")
    try SafetensorsWriter.write(["old": Tensor(shape: [2], scalars: [1, 2])], to: url, overwrite: false)
    #expect(throws: FileWriteError.exists(url)) {
        try SafetensorsWriter.write(["new": Tensor(shape: [1], scalars: [3])], to: url, overwrite: false)
    }
    #expect(try SafetensorsFile(url: url).tensorNames == ["old"])
    try SafetensorsWriter.write(["new": Tensor(shape: [1], scalars: [3])], to: url, overwrite: true)
    let file = try SafetensorsFile(url: url)
    #expect(file.tensorNames == ["new"])
    #expect(try file.tensor(named: "new").scalars == [3])
}

@Test func writerStoresChannelsLastTensorsRowMajor() throws {
    let folder = try TemporaryFolder()
    let url = folder.file("layout.safetensors")
    // Logical [N=1, C=2, H=1, W=3]; memory order N, H, W, C interleaves the channels.
    var nhwc = Tensor(uninitializedShape: [1, 2, 1, 3], layout: .channelsLast)
    nhwc.withUnsafeMutableBufferPointer { memory in
        for (index, value) in [Float(0), 10, 1, 11, 2, 12].enumerated() { memory[index] = value }
    }
    try SafetensorsWriter.write(["image": nhwc], to: url, overwrite: false)
    let loaded = try SafetensorsFile(url: url).tensor(named: "image")
    #expect(loaded.layout == .rowMajor)
    #expect(loaded.scalars == [0, 1, 2, 10, 11, 12])
}

@Test func writerRejectsTheReservedMetadataName() throws {
    let folder = try TemporaryFolder()
    let url = folder.file("reserved.safetensors")
    #expect {
        try SafetensorsWriter.write(["__metadata__": Tensor(shape: [1], scalars: [1])], to: url, overwrite: false)
    } throws: { error in
        "\(error)".contains("__metadata__") && "\(error)".contains(url.path)
    }
}

@Test func missingTensorErrorNamesTensorAndFile() throws {
    let folder = try TemporaryFolder()
    let url = folder.file("small.safetensors")
    try SafetensorsWriter.write(["present": Tensor(shape: [1], scalars: [1])], to: url, overwrite: false)
    let file = try SafetensorsFile(url: url)
    #expect(throws: LoadingError.tensorNotFound(url, tensor: "absent")) { try file.tensor(named: "absent") }
    #expect("\(LoadingError.tensorNotFound(url, tensor: "absent"))".contains("'absent'"))
}
