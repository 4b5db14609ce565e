import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers
import Testing
import ParadiffuseTensors
@testable import ParadiffusePipelines

@Test func outputFilesAreNumberedForSeveralImages() throws {
    let folder = URL(fileURLWithPath: "/tmp/out", isDirectory: true)
    let single = OutputFiles(output: folder.appendingPathComponent("cat.png"), count: 1, grid: false)
    #expect(single.images.map(\.lastPathComponent) == ["cat.png"])
    #expect(single.grid == nil)
    let several = OutputFiles(output: folder.appendingPathComponent("cat.png"), count: 3, grid: true,
                              latents: folder.appendingPathComponent("latents.safetensors"))
    #expect(several.images.map(\.lastPathComponent) == ["cat-0.png", "cat-1.png", "cat-2.png"])
    #expect(several.grid?.lastPathComponent == "cat-grid.png")
    #expect(several.all.map(\.lastPathComponent)
        == ["cat-0.png", "cat-1.png", "cat-2.png", "cat-grid.png", "latents.safetensors"])
    #expect(several.all.allSatisfy { $0.deletingLastPathComponent().path == "/tmp/out" })
}

@Test func outputCheckRefusesExistingFilesBeforeAnyWork() throws {
    let folder = try ScratchFolder()
    let files = OutputFiles(output: folder.file("out.png"), count: 2, grid: true)
    try files.checkWritable(overwrite: false)
    try Data().write(to: folder.file("out-grid.png"))
    #expect(throws: FileWriteError.exists(folder.file("out-grid.png"))) { try files.checkWritable(overwrite: false) }
    try files.checkWritable(overwrite: true)
    let elsewhere = OutputFiles(output: folder.file("nowhere/out.png"), count: 1, grid: false)
    #expect(throws: FileWriteError.missingFolder(folder.file("nowhere/out.png"))) {
        try elsewhere.checkWritable(overwrite: true)
    }
}

@Test func everyOutputRefusesAnExistingFileWithoutOverwrite() throws {
    let folder = try ScratchFolder()
    let files = OutputFiles(output: folder.file("out.png"), count: 1, grid: true,
                            latents: folder.file("latents.safetensors"), trajectory: folder.file("run.safetensors"),
                            statistics: folder.file("stats.json"))
    #expect(files.all.count == 5)
    for url in files.all {
        try Data("keep".utf8).write(to: url)
        #expect(throws: FileWriteError.exists(url)) { try files.checkWritable(overwrite: false) }
        try files.checkWritable(overwrite: true)
        try FileManager.default.removeItem(at: url)
    }
}

@Test func twoOutputsNamingOneFileAreAnError() throws {
    let folder = try ScratchFolder()
    let same = OutputFiles(output: folder.file("out.png"), count: 1, grid: false,
                           latents: folder.file("x.safetensors"), trajectory: folder.file("./x.safetensors"))
    #expect(throws: FileWriteError.sameFile(folder.file("x.safetensors"), folder.file("./x.safetensors"))) {
        try same.checkWritable(overwrite: true)
    }
    let image = OutputFiles(output: folder.file("out.png"), count: 1, grid: false, statistics: folder.file("out.png"))
    #expect(throws: FileWriteError.self) { try image.checkWritable(overwrite: true) }
}

@Test func aFolderIsNeverAnOutputFile() throws {
    let folder = try ScratchFolder()
    try FileManager.default.createDirectory(at: folder.file("taken.png"), withIntermediateDirectories: false)
    #expect(throws: FileWriteError.isFolder(folder.file("taken.png"))) {
        try OutputFiles(output: folder.file("taken.png"), count: 1, grid: false).checkWritable(overwrite: true)
    }
}

@Test func writtenFilesKeepAnExistingFileAndLeaveNoTemporaryFiles() throws {
    let folder = try ScratchFolder()
    let url = folder.file("stats.json")
    try Data("keep".utf8).write(to: url)
    #expect(throws: FileWriteError.exists(url)) { try AtomicFile.write(Data("new".utf8), to: url, overwrite: false) }
    #expect(try Data(contentsOf: url) == Data("keep".utf8))
    try AtomicFile.write(Data("new".utf8), to: url, overwrite: true)
    #expect(try Data(contentsOf: url) == Data("new".utf8))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["stats.json"])
}

@Test func generationParametersFormATextChunk() {
    let parameters = GenerationParameters(model: "ddpm-cifar10-32", scheduler: "ddim", steps: 50, seed: 42,
                                          width: 32, height: 32, eta: 0.5, batchPosition: (index: 1, count: 4))
    #expect(parameters.text == "Steps: 50, Sampler: DDIM, Seed: 42, Size: 32x32, Model: ddpm-cifar10-32, Eta: 0.5, "
        + "Batch: 2 of 4, Version: Paradiffuse \(ParadiffuseVersion.current)")
    #expect(parameters.pngTextChunks.map(\.0) == ["parameters", "Software"])
}

/// The AUTOMATIC1111 web UI's infotext: prompt, negative prompt, then its field names and sampler names.
@Test func generationParametersSpeakTheWebUIsInfotext() {
    var parameters = GenerationParameters(model: "sd15", scheduler: "dpm-solver", steps: 20, seed: 7, width: 512,
                                          height: 768, guidance: 7.5)
    parameters.prompt = "a lighthouse"
    parameters.negativePrompt = "blurry"
    parameters.sigmaSpacing = .karras
    parameters.denoisingStrength = 0.6
    parameters.clipSkip = 2
    #expect(parameters.text == "a lighthouse\nNegative prompt: blurry\nSteps: 20, Sampler: DPM++ 2M, Schedule type: "
        + "Karras, CFG scale: 7.5, Seed: 7, Size: 512x768, Model: sd15, Denoising strength: 0.6, Clip skip: 2, "
        + "Version: Paradiffuse \(ParadiffuseVersion.current)")
    #expect(SchedulerKind.allCases.map(\.webUIName).count == Set(SchedulerKind.allCases.map(\.webUIName)).count)
}
