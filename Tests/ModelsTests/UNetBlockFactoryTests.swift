@testable import ParadiffuseModels
import Testing

/// The blocks' diffusers-style factories (`get_down_block`, `get_mid_block`, `get_up_block`): a type name they do
/// not know, or a cross-attention block in a UNet without a context, is an error naming the key before any weight
/// is read.
struct UNetBlockFactoryTests {
    enum Block: String, CaseIterable, Sendable { case down, mid, up }

    static func build(_ block: Block, type: String) throws {
        let noWeights = ModelWeights(source: "no weights") { _ in nil }
        let settings = UNetBlockSettings(UNet2DConfiguration(), file: "config.json")
        switch block {
        case .down:
            _ = try UNetDownBlock(type, noWeights, settings: settings, layers: 1, input: 32, output: 32, heads: 1,
                                  transformerLayers: 1, addsDownsample: false)
        case .mid:
            _ = try UNetMidBlock(type, noWeights, settings: settings, channels: 32, heads: 1, transformerLayers: 1,
                                 outputScaleFactor: 1, addsAttention: true, attentionGroups: nil)
        case .up:
            _ = try UNetUpBlock(type, noWeights, settings: settings, layers: 1, input: 32, previousOutput: 32,
                                output: 32, heads: 1, transformerLayers: 1, addsUpsample: false)
        }
    }

    static func key(of error: any Error) -> String? {
        guard case let .invalidConfiguration(_, key, _) = error as? ModelError else { return nil }
        return key
    }

    @Test(arguments: Block.allCases)
    func unknownTypeNamesItsKey(block: Block) {
        #expect { try Self.build(block, type: "SkipBlock2D") } throws: { error in
            Self.key(of: error) == "\(block == .mid ? "mid_block_type" : "\(block.rawValue)_block_types")"
                && "\(error)".contains("SkipBlock2D")
        }
    }

    @Test(arguments: [(Block.down, "CrossAttnDownBlock2D"), (.mid, "UNetMidBlock2DCrossAttn"), (.up, "CrossAttnUpBlock2D")])
    func crossAttentionWithoutAContextNamesCrossAttentionDimension(block: Block, type: String) {
        #expect { try Self.build(block, type: type) } throws: { Self.key(of: $0) == "cross_attention_dim" }
    }
}
