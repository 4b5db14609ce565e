import Foundation
import Testing
@testable import ParadiffuseLoading

@Test func pipelineFolderSavedByDiffusersListsItsComponents() throws {
    let url = loadingFixture("ddpm_fp16_sharded")
    let folder = try DiffusersFolder(url: url)
    let index = try #require(folder.modelIndex)
    #expect(index.className == "DDPMPipeline")
    #expect(index.diffusersVersion == "0.42.1")
    #expect(index.componentNames == ["scheduler", "unet"])
    #expect(index.components["unet"] == ModelIndex.Component(name: "unet", library: "diffusers", className: "UNet2DModel"))
    #expect(try folder.componentURL("unet").lastPathComponent == "unet")
    #expect(try folder.componentConfig("unet").className == "UNet2DModel")
    #expect(try folder.componentConfig("scheduler").value("num_train_timesteps", as: Int.self) == 1000)
    #expect(try folder.componentWeights("unet", variant: "fp16").tensorNames.contains("conv_out.weight"))
}

@Test func missingComponentErrorNamesItAndListsTheOthers() throws {
    let url = loadingFixture("ddpm_fp16_sharded")
    let folder = try DiffusersFolder(url: url)
    #expect {
        try folder.componentURL("vae")
    } throws: { error in
        "\(error)" == "\(url.path) has no component 'vae' in model_index.json (components: scheduler, unet)"
    }
}

@Test func componentListedButAbsentOnDiskIsReported() throws {
    let temporary = try TemporaryFolder()
    try temporary.write(#"{"_class_name": "DDPMPipeline", "unet": ["diffusers", "UNet2DModel"], "safety_checker": [null, null], "requires_safety_checker": false}"#,
                        to: "model_index.json")
    let folder = try DiffusersFolder(url: temporary.url)
    #expect(folder.modelIndex?.componentNames == ["unet"])
    #expect(try folder.modelIndex?.config.value("requires_safety_checker", as: Bool.self) == false)
    #expect {
        try folder.componentURL("unet")
    } throws: { error in
        "\(error)".contains("lists component 'unet'") && "\(error)".contains(temporary.file("unet").path)
    }
    #expect {
        try folder.componentURL("safety_checker")
    } throws: { error in
        "\(error)".contains("has no component 'safety_checker'")
    }
}

@Test func bareComponentFolderIsAcceptedButHasNoComponents() throws {
    let url = loadingFixture("ddpm_fp16_sharded/unet")
    let folder = try DiffusersFolder(url: url)
    guard case let .component(config) = folder.kind else {
        Issue.record("expected a component folder, got \(folder.kind)")
        return
    }
    #expect(config.className == "UNet2DModel")
    #expect(folder.modelIndex == nil)
    #expect {
        try folder.componentURL("unet")
    } throws: { error in
        "\(error)".contains(url.path) && "\(error)".contains("single component folder")
    }
}

@Test func folderWithoutModelIndexOrConfigIsRejected() throws {
    let temporary = try TemporaryFolder()
    #expect(throws: LoadingError.notAModelFolder(temporary.url)) { try DiffusersFolder(url: temporary.url) }
    #expect("\(LoadingError.notAModelFolder(temporary.url))".contains(temporary.url.path))
}

@Test func componentWithoutConfigListsWhatWasLookedFor() throws {
    let temporary = try TemporaryFolder()
    try temporary.write(#"{"_class_name": "P", "tokenizer": ["transformers", "CLIPTokenizer"]}"#, to: "model_index.json")
    try FileManager.default.createDirectory(at: temporary.file("tokenizer"), withIntermediateDirectories: true)
    let folder = try DiffusersFolder(url: temporary.url)
    #expect {
        try folder.componentConfig("tokenizer")
    } throws: { error in
        "\(error)".contains(temporary.file("tokenizer").path) && "\(error)".contains("config.json, scheduler_config.json")
    }
}

@Test func modelIndexWithoutClassNameIsRejected() throws {
    let temporary = try TemporaryFolder()
    let url = try temporary.write(#"{"unet": ["diffusers", "UNet2DModel"]}"#, to: "model_index.json")
    #expect(throws: LoadingError.missingConfigKey(url, key: "_class_name")) { try ModelIndex(url: url) }
}
