import ParadiffuseSamplers
import ParadiffuseTensors

/// A denoiser whose batches are shared among the processes of a run. Each process evaluates one near-equal slice
/// of every batch on its own copy of the model, and the slices are all-gathered (one `MPI_Allgatherv` per call), so
/// every process returns the whole batch's output and runs the same deterministic sampler in step. Slices are of
/// whole groups (timesteps of a window), as the `Denoiser` contract ties latents to images by position. A process
/// whose slice is empty (more processes than groups) only takes part in the gather.
///
/// With `BatchSplit.cfg` the slices are of guidance's network evaluations (`BranchedDenoiser`) rather than of
/// latents, and every process combines the gathered evaluations itself.
///
/// With `evaluatesItemwise` every network evaluation is of one item — one latent on one branch, or one group for a
/// denoiser without branches — so a latent's output is computed the same way whatever batch, slice or split it comes
/// in, and the result is bit-identical for any number of processes even where the kernels' results depend on the
/// batch size (oneDNN's AVX2 matmul does). Without it, results are bit-identical only where the wrapped denoiser's
/// output for a latent does not depend on the rest of its batch.
public final class DistributedDenoiser: Denoiser {
    public let local: Denoiser
    public let group: ProcessGroup
    public let split: BatchSplit
    public let evaluatesItemwise: Bool
    /// Item shape and layout of the outputs, learned from rank 0 on the first call for each input item shape
    /// (a process with an empty slice has no output of its own to tell).
    private var outputFormats: [[Int]: (itemShape: [Int], layout: Layout)] = [:]

    public var imagesPerGroup: Int { local.imagesPerGroup }

    public init(local: Denoiser, group: ProcessGroup, split: BatchSplit, evaluatesItemwise: Bool) throws {
        if split == .cfg, ((local as? BranchedDenoiser)?.branchCount ?? 1) < 2 {
            throw DistributedError.splitNeedsGuidance(split: split.rawValue)
        }
        self.local = local
        self.group = group
        self.split = split
        self.evaluatesItemwise = evaluatesItemwise
    }

    public func denoise(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        let groupSize = local.imagesPerGroup
        guard latents.batchSize % groupSize == 0 else {
            throw DistributedError.partialGroup(latents: latents.batchSize, imagesPerGroup: groupSize)
        }
        let groups = latents.batchSize / groupSize
        if let branched = local as? BranchedDenoiser, dividesBranches(branched, groups: groups) {
            let items = nearEqualSlices(of: branched.branchCount * latents.batchSize, parts: group.size)
            let outputs = try gathered(slices: items, formatKey: [1] + latents.itemShape,
                                       operation: "gathering guidance's network outputs") { items in
                try networkOutputs(branched, latents, timesteps: timesteps, items: items)
            }
            return try branched.combining(outputs)
        }
        // Whole groups, so that latent i of a slice is still image i % imagesPerGroup.
        let slices = nearEqualSlices(of: groups, parts: group.size).map {
            $0.lowerBound * groupSize..<$0.upperBound * groupSize
        }
        return try gathered(slices: slices, formatKey: [0] + latents.itemShape,
                            operation: "gathering the denoised batch") { items in
            try denoised(latents.batchItems(items), timesteps: Array(timesteps[items]))
        }
    }

    /// The network's outputs for `items`: in one call, or one call per item.
    private func networkOutputs(_ denoiser: BranchedDenoiser, _ latents: Tensor, timesteps: [Float],
                                items: Range<Int>) throws -> Tensor {
        guard evaluatesItemwise else { return try denoiser.networkOutputs(latents, timesteps: timesteps, items: items) }
        return Tensor.concatenatingBatches(try items.map {
            try denoiser.networkOutputs(latents, timesteps: timesteps, items: $0..<$0 + 1)
        })
    }

    /// The local denoiser's output for whole groups of latents: in one call, or item by item.
    private func denoised(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        guard evaluatesItemwise else { return try local.denoise(latents, timesteps: timesteps) }
        if let branched = local as? BranchedDenoiser {
            return try branched.combining(networkOutputs(branched, latents, timesteps: timesteps,
                                                         items: 0..<branched.branchCount * latents.batchSize))
        }
        let groupSize = local.imagesPerGroup
        return Tensor.concatenatingBatches(try stride(from: 0, to: latents.batchSize, by: groupSize).map { start in
            let group = start..<start + groupSize
            return try local.denoise(latents.batchItems(group), timesteps: Array(timesteps[group]))
        })
    }

    private func dividesBranches(_ denoiser: BranchedDenoiser, groups: Int) -> Bool {
        switch split {
        case .cfg: true
        case .window: false
        case .auto: denoiser.branchCount > 1 && groups < group.size
        }
    }

    /// Evaluates this process's slice of the items and gathers every process's slice (`slices`, one per rank,
    /// contiguous and in order).
    private func gathered(slices: [Range<Int>], formatKey: [Int], operation: String,
                          evaluate: (Range<Int>) throws -> Tensor) throws -> Tensor {
        let count = slices.last?.upperBound ?? 0
        let mine = slices[group.rank]
        let output = mine.isEmpty ? nil : try evaluate(mine)
        let format = try outputFormat(key: formatKey, output: output, operation: operation)
        if let output, output.itemShape != format.itemShape || output.layout != format.layout || output.batchSize != mine.count {
            throw DistributedError.outputShapeMismatch(operation: operation, rank: group.rank, shape: output.shape,
                                                       expected: [mine.count] + format.itemShape)
        }
        let itemElements = format.itemShape.reduce(1, *)
        var result = Tensor(uninitializedShape: [count] + format.itemShape, layout: format.layout)
        try result.withUnsafeMutableBufferPointer { target in
            let counts = slices.map { $0.count * itemElements }
            guard let output else {
                return try group.allGather(UnsafeBufferPointer(start: nil, count: 0), counts: counts, into: target,
                                           operation: operation)
            }
            try output.withUnsafeBufferPointer { source in
                try group.allGather(source, counts: counts, into: target, operation: operation)
            }
        }
        return result
    }

    private func outputFormat(key: [Int], output: Tensor?, operation: String) throws -> (itemShape: [Int], layout: Layout) {
        if let known = outputFormats[key] { return known }
        let maximumRank = 8
        var description = [Int32](repeating: 0, count: maximumRank + 2)
        if group.rank == 0, let output {
            precondition(output.rank - 1 <= maximumRank, "output \(output) has too many dimensions")
            description[0] = output.layout == .channelsLast ? 1 : 0
            description[1] = Int32(output.rank - 1)
            for (index, dimension) in output.itemShape.enumerated() { description[2 + index] = Int32(dimension) }
        }
        let shared = try group.broadcastFromFirst(description, operation: operation + " (output shape)")
        let format = (itemShape: shared[2..<2 + Int(shared[1])].map(Int.init),
                      layout: shared[0] == 1 ? Layout.channelsLast : Layout.rowMajor)
        outputFormats[key] = format
        return format
    }
}
