import Foundation
import ParadiffuseModels
import Testing

/// Hostile or corrupt `config.json` values from issue 13's campaign: each is an error naming the file and key before
/// anything is built — never a division by zero, a range trap, an allocation abort or a wrapped size handed to a
/// C kernel (a negative head count once drove the attention kernel out of bounds).
struct ConfigurationBoundsTests {
    struct Mutation: CustomTestStringConvertible, Sendable {
        let fixture: String
        let key: String
        let value: String

        var testDescription: String { "\(fixture): \(key) = \(value)" }
    }

    static let mutations: [Mutation] = [
        .init(fixture: "unet/attention", key: "norm_num_groups", value: "0"),
        .init(fixture: "unet/attention", key: "attention_head_dim", value: "0"),
        .init(fixture: "unet/attention", key: "attention_head_dim", value: "-8"),
        .init(fixture: "unet/attention", key: "layers_per_block", value: "-1"),
        .init(fixture: "unet/attention", key: "layers_per_block", value: "1000000"),
        .init(fixture: "unet/attention", key: "sample_size", value: "[]"),
        .init(fixture: "unet/attention", key: "sample_size", value: "0"),
        .init(fixture: "unet/attention", key: "sample_size", value: "-16"),
        .init(fixture: "unet/attention", key: "downsample_padding", value: "2"),
        .init(fixture: "unet/attention", key: "block_out_channels", value: "[16, -16]"),
        .init(fixture: "unet/attention", key: "in_channels", value: "0"),
        .init(fixture: "unet/attention", key: "norm_eps", value: "-1"),
        .init(fixture: "unet-condition/sd1", key: "attention_head_dim", value: "-2"),
        .init(fixture: "unet-condition/sd1", key: "num_attention_heads", value: "0"),
        .init(fixture: "unet-condition/sd1", key: "transformer_layers_per_block", value: "0"),
        .init(fixture: "unet-condition/sd1", key: "cross_attention_dim", value: "-32"),
        .init(fixture: "unet-condition/sd1", key: "sample_size", value: "-8"),
        .init(fixture: "unet-condition/sd1", key: "downsample_padding", value: "2"),
        .init(fixture: "vae/two-level", key: "latent_channels", value: "0"),
        .init(fixture: "vae/two-level", key: "block_out_channels", value: "[8, 16, 16, 16, 16, 16, 16, 16, 16]"),
        .init(fixture: "clip-text/gelu", key: "num_attention_heads", value: "-4"),
        .init(fixture: "clip-text/gelu", key: "num_hidden_layers", value: "100000"),
        .init(fixture: "dit/pipeline/transformer", key: "attention_head_dim", value: "1099511627776"),
        .init(fixture: "dit/pipeline/transformer", key: "num_attention_heads", value: "-2"),
    ]

    @Test(arguments: mutations)
    func outOfRangeValueIsAnErrorNamingTheKey(mutation: Mutation) throws {
        let source = FixturePaths.root.appendingPathComponent(mutation.fixture)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("paradiffuse-config-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name != "config.json" {
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(name),
                                                       withDestinationURL: source.appendingPathComponent(name))
        }
        let config = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: source.appendingPathComponent("config.json"))) as? [String: Any])
        var mutated = config
        mutated[mutation.key] = try JSONSerialization.jsonObject(with: Data(mutation.value.utf8), options: .fragmentsAllowed)
        try JSONSerialization.data(withJSONObject: mutated).write(to: folder.appendingPathComponent("config.json"))

        #expect {
            switch mutation.fixture.split(separator: "/").first {
            case "unet": _ = try UNet2DModel(componentFolder: folder)
            case "unet-condition": _ = try UNet2DConditionModel(componentFolder: folder)
            case "vae": _ = try AutoencoderKL(componentFolder: folder)
            case "clip-text": _ = try CLIPTextModel(componentFolder: folder)
            default: _ = try DiTTransformer2DModel(componentFolder: folder)
            }
        } throws: { error in
            guard case let .invalidConfiguration(file, key, _) = error as? ModelError else { return false }
            return file.hasSuffix("config.json") && key == mutation.key
        }
    }
}
