import Foundation
import ParadiffuseLoading
import Testing
@testable import ParadiffusePipelines

@Test func modelInfoCountsTensorsParametersDTypesAndMemory() throws {
    let model = try ModelFolder()
    try model.write("model_index.json", """
        {"_class_name": "DDPMPipeline", "_diffusers_version": "0.21.0",
         "scheduler": ["diffusers", "DDPMScheduler"], "unet": ["diffusers", "UNet2DModel"],
         "safety_checker": [null, null]}
        """)
    try model.write("scheduler/scheduler_config.json", #"{"_class_name": "DDPMScheduler"}"#)
    try model.write("unet/config.json", #"{"_class_name": "UNet2DModel"}"#)
    // F32 [2, 3]: 24 bytes; BF16 [4]: 8 bytes (16 as float32); I64 [2]: 16 bytes (kept as is).
    try model.writeSafetensors("unet/diffusion_pytorch_model.safetensors", tensors: [
        ("conv.weight", "F32", [2, 3]), ("norm.weight", "BF16", [4]), ("position_ids", "I64", [2]),
    ])

    let info = try ModelInfo(folder: model.url)
    #expect(info.pipelineClassName == "DDPMPipeline")
    #expect(info.diffusersVersion == "0.21.0")
    #expect(info.components.map(\.name) == ["scheduler", "unet"])
    #expect(info.components[0].className == "DDPMScheduler")
    #expect(info.components[0].weights == nil)
    let weights = try #require(info.components[1].weights)
    #expect(weights.url.lastPathComponent == "diffusion_pytorch_model.safetensors")
    #expect(weights.tensorCount == 3)
    #expect(weights.parameterCount == 12)
    #expect(weights.byteCount == 48)
    #expect(weights.float32ByteCount == 56)
    #expect(weights.tensorCountByDType == ["F32": 1, "BF16": 1, "I64": 1])
    #expect(info.parameterCount == 12 && info.byteCount == 48 && info.float32ByteCount == 56)

    let report = info.description
    #expect(report.contains("unet/diffusion_pytorch_model.safetensors: 3 tensors · 12 parameters · BF16 ×1, F32 ×1, I64 ×1 · 48 B"))
    #expect(report.contains("total      12 parameters · 48 B of weights · about 56 B in memory as float32"))
}

@Test func modelInfoDescribesASingleComponentFolder() throws {
    let model = try ModelFolder()
    try model.write("config.json", #"{"_class_name": "UNet2DModel", "_diffusers_version": "0.30.0"}"#)
    try model.writeSafetensors("diffusion_pytorch_model.safetensors", tensors: [("w", "F16", [3, 5])])
    let info = try ModelInfo(folder: model.url)
    #expect(info.pipelineClassName == nil)
    #expect(info.components.count == 1)
    #expect(info.components[0].className == "UNet2DModel")
    #expect(info.components[0].weights?.parameterCount == 15)
    #expect(info.components[0].weights?.float32ByteCount == 60)
}

@Test func modelInfoPointsOutWeightsOfOtherVariants() throws {
    let model = try ModelFolder()
    try model.write("config.json", #"{"_class_name": "UNet2DModel"}"#)
    try model.writeSafetensors("diffusion_pytorch_model.fp16.safetensors", tensors: [("w", "F16", [2])])
    let info = try ModelInfo(folder: model.url)
    #expect(info.components[0].weights == nil)
    #expect(info.components[0].otherWeightFiles == ["diffusion_pytorch_model.fp16.safetensors"])
    #expect(info.description.contains("no weights of the requested variant; "
        + "the folder holds diffusion_pytorch_model.fp16.safetensors"))
    #expect(try ModelInfo(folder: model.url, variant: "fp16").components[0].weights?.parameterCount == 2)
}

@Test func modelInfoOfAFolderWithoutConfigNamesTheFolder() throws {
    let model = try ModelFolder()
    #expect(throws: LoadingError.notAModelFolder(model.url)) { try ModelInfo(folder: model.url) }
}

@Test func countsAndSizesAreAbbreviated() {
    #expect(ModelInfo.formatCount(950) == "950")
    #expect(ModelInfo.formatCount(12_345) == "12.3K")
    #expect(ModelInfo.formatCount(35_746_307) == "35.7M")
    #expect(ModelInfo.formatCount(999_950) == "1.0M")
    #expect(ModelInfo.formatCount(859_520_964) == "859.5M")
    #expect(ModelInfo.formatCount(2_567_463_684) == "2.6B")
    #expect(ModelInfo.formatBytes(512) == "512 B")
    #expect(ModelInfo.formatBytes(143_185_228) == "143.2 MB")
    #expect(ModelInfo.formatBytes(3_438_167_536) == "3.4 GB")
}

/// A model folder under the system's temporary directory, removed when the value goes away.
private final class ModelFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ModelInfoTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func write(_ relativePath: String, _ text: String) throws {
        try write(relativePath, Data(text.utf8))
    }

    func write(_ relativePath: String, _ data: Data) throws {
        let target = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: target)
    }

    /// A safetensors file of zero-filled tensors in any dtype, its header written by hand.
    func writeSafetensors(_ relativePath: String, tensors: [(name: String, dtype: String, shape: [Int])]) throws {
        let bytesPerElement = ["F32": 4, "F16": 2, "BF16": 2, "I64": 8]
        var entries: [String] = []
        var offset = 0
        for tensor in tensors {
            let end = offset + tensor.shape.reduce(1, *) * bytesPerElement[tensor.dtype]!
            entries.append(#""\#(tensor.name)": {"dtype": "\#(tensor.dtype)", "shape": \#(tensor.shape), "#
                + #""data_offsets": [\#(offset), \#(end)]}"#)
            offset = end
        }
        let header = Data("{\(entries.joined(separator: ", "))}".utf8)
        var length = UInt64(header.count).littleEndian
        try write(relativePath, Data(bytes: &length, count: 8) + header + Data(count: offset))
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
