import ParadiffuseTensors

/// CLIP's input embeddings: each token's row of `token_embedding` plus its position's row of `position_embedding`.
struct CLIPTextEmbeddings {
    let tokens: Tensor
    let positions: Tensor

    init(_ weights: ModelWeights, configuration: CLIPTextConfiguration) throws {
        let width = configuration.hiddenSize
        tokens = try weights.tensor("token_embedding.weight", shape: [configuration.vocabularySize, width])
        positions = try weights.tensor("position_embedding.weight", shape: [configuration.maxPositionEmbeddings, width])
    }

    private init(tokens: Tensor, positions: Tensor) {
        self.tokens = tokens
        self.positions = positions
    }

    /// The embeddings with `rows` `[k, hidden]` (float32) appended to the token table, for ids from its size on.
    func appending(rows: Tensor) -> CLIPTextEmbeddings {
        CLIPTextEmbeddings(tokens: Tensor.concatenatingBatches([tokens.converted(to: .float32).toRowMajor(),
                                                                rows.toRowMajor()]),
                           positions: positions)
    }

    /// `tokenIDs` `[N][L]`, already checked against the vocabulary and the positions; returns `[N, L, hidden]`.
    func callAsFunction(_ tokenIDs: [[Int]]) -> Tensor {
        let (batch, length, width) = (tokenIDs.count, tokenIDs[0].count, tokens.shape[1])
        var output = Tensor(uninitializedShape: [batch, length, width])
        tokens.withUnsafeBufferPointer { tokenTable in
            positions.withUnsafeBufferPointer { positionTable in
                output.withUnsafeMutableBufferPointer { target in
                    for (item, sequence) in tokenIDs.enumerated() {
                        for (position, token) in sequence.enumerated() {
                            let row = (item * length + position) * width
                            for feature in 0..<width {
                                target[row + feature] = tokenTable[token * width + feature]
                                    + positionTable[position * width + feature]
                            }
                        }
                    }
                }
            }
        }
        return output
    }
}
