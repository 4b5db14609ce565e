import ParadiffuseFuzzTargets
import Testing

/// Every kept fuzz input (seeds and past crashes) runs through its target in every test run: a crash here is a
/// regression of a fixed defect, or a seed that never worked.
@Test(arguments: FuzzTarget.allCases)
func keptFuzzInputsRunWithoutCrashing(_ target: FuzzTarget) {
    let inputs = FuzzCorpus.inputs(of: target)
    #expect(!inputs.isEmpty, "Fuzz/corpus/\(target.rawValue) holds no seeds")
    for input in inputs { target.run(input.data) }
}
