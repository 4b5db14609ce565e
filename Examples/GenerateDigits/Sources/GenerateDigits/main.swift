import Foundation
import Paradiffuse

let pipeline = try DiffusionPipeline()  // the digits model that ships with Paradiffuse; or DiffusionPipeline(folder:)
let request = GenerationRequest(steps: 50, scheduler: .ddim, seed: 7, count: 4, classLabel: 7)
let result = try await pipeline.generate(request) { progress in
    print("step \(progress.completed) of \(progress.total)")
    return true  // false cancels the generation, as cancelling its task does
}
for (index, png) in try result.pngData().enumerated() {
    try png.write(to: URL(fileURLWithPath: "seven-\(index).png"), options: .withoutOverwriting)
}
