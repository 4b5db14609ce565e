import Foundation
import Testing
@testable import ParadiffuseLoading

private func config(_ json: String, in folder: TemporaryFolder) throws -> JSONConfig {
    try JSONConfig(url: folder.write(json, to: "config.json"))
}

@Test func configValuesReadByTypeAndUnknownKeysAreIgnored() throws {
    let folder = try TemporaryFolder()
    let config = try config(#"""
        {"_class_name": "DDIMScheduler", "num_train_timesteps": 1000, "beta_start": 0.00085, "clip_sample": false,
         "beta_schedule": "scaled_linear", "block_out_channels": [128, 256], "trained_betas": null,
         "some_future_option": {"nested": [1, "x"]}}
        """#, in: folder)
    #expect(config.className == "DDIMScheduler")
    #expect(try config.value("num_train_timesteps", as: Int.self) == 1000)
    #expect(try config.value("beta_start", as: Double.self) == 0.00085)
    #expect(try config.value("beta_start", as: Float.self) == Float(0.00085))
    #expect(try config.value("num_train_timesteps", as: Double.self) == 1000)
    #expect(try config.value("clip_sample", as: Bool.self) == false)
    #expect(try config.value("beta_schedule", as: String.self) == "scaled_linear")
    #expect(try config.value("block_out_channels", as: [Int].self) == [128, 256])
    #expect(try config.optionalValue("trained_betas", as: [Double].self) == nil)
    #expect(try config.value("steps_offset", default: 0) == 0)
    #expect(try config.value("trained_betas", default: [0.5]) == [0.5])
    #expect(!config.contains("trained_betas"))
    #expect(config.contains("some_future_option"))
}

@Test func missingConfigKeyErrorNamesFileAndKey() throws {
    let folder = try TemporaryFolder()
    let config = try config(#"{"num_train_timesteps": 1000}"#, in: folder)
    #expect {
        try config.value("beta_end", as: Double.self)
    } throws: { error in
        "\(error)" == "\(config.url.path) has no key 'beta_end'"
    }
}

@Test func configValueOfWrongTypeNamesFileAndKey() throws {
    let folder = try TemporaryFolder()
    let config = try config(#"{"num_train_timesteps": 999.5, "clip_sample": "no", "channels": [1, "two"]}"#, in: folder)
    #expect {
        try config.value("num_train_timesteps", as: Int.self)
    } throws: { error in
        "\(error)" == "\(config.url.path): key 'num_train_timesteps': expected an integer, found a number"
    }
    #expect {
        try config.value("clip_sample", default: true)
    } throws: { error in
        "\(error)" == "\(config.url.path): key 'clip_sample': expected a boolean, found a string"
    }
    #expect {
        try config.value("channels", as: [Int].self)
    } throws: { error in
        "\(error)" == "\(config.url.path): key 'channels': expected an array, each element an integer, found an array"
    }
}

@Test func configThatIsNotAJSONObjectNamesTheFile() throws {
    let folder = try TemporaryFolder()
    let broken = try folder.write(#"{"a": 1,"#, to: "broken.json")
    #expect {
        try JSONConfig(url: broken)
    } throws: { error in
        "\(error)".hasPrefix("\(broken.path): not valid JSON")
    }
    let list = try folder.write("[1]", to: "list.json")
    #expect {
        try JSONConfig(url: list)
    } throws: { error in
        "\(error)" == "\(list.path): expected a JSON object, found an array"
    }
    let absent = folder.file("absent.json")
    #expect {
        try JSONConfig(url: absent)
    } throws: { error in
        "\(error)".hasPrefix("cannot read \(absent.path)")
    }
}

@Test func infinitiesAsPythonWritesThemAreRead() throws {
    let folder = try TemporaryFolder()
    let config = try config(#"{"lambda_min_clipped": -Infinity, "upper": Infinity}"#, in: folder)
    #expect(try config.value("lambda_min_clipped", as: Double.self) == -.infinity)
    #expect(try config.value("upper", as: Double.self) == .infinity)
}
