import CDNNL
import CKernels
import Testing
@testable import ParadiffuseTensors

/// The capabilities every other test's choice of kernels comes from, printed so a test log says which paths ran.
struct CPUCapabilitiesTests {
    @Test func capabilitiesAreConsistentAndPrinted() {
        let cpu = CPUCapabilities.current
        print("CPU under test: \(cpu)")
        print("attention kernels run by the tests: "
              + FusedAttention.Kernel.all.filter(\.isAvailable).map { "\($0)" }.joined(separator: ", "))
        #expect(cpu.instructionSet <= cpu.cpuInstructionSet)
        #expect(cpu.computesBFloat16 == (cpu.instructionSet >= .avx512BFloat16))
        #expect(cpu.nativePrecisions.contains(.float32))
        #expect(Precision.automatic() == (cpu.computesBFloat16 ? .bfloat16 : .float32))
        #expect(Precision.bfloat16.resolved() == (cpu.computesBFloat16 ? .bfloat16 : .bfloat16Weights))
        #expect(Precision.bfloat16Weights.resolved() == .bfloat16Weights && Precision.float32.resolved() == .float32)
    }

    @Test func instructionSetNamesRoundTrip() {
        for level in CPUCapabilities.InstructionSet.allCases {
            #expect(CPUCapabilities.InstructionSet(named: level.description) == level)
            #expect(CPUCapabilities.InstructionSet(named: level.description.uppercased()) == level)
        }
        #expect(CPUCapabilities.InstructionSet(named: "AVX512_CORE_AMX") == .amx)
        #expect(CPUCapabilities.InstructionSet(named: "avx3") == nil)
    }

    @Test func oneDNNLevelsMapToKernelLevels() {
        #expect(CPUCapabilities.InstructionSet(oneDNN: dnnl_cpu_isa_avx2) == .avx2)
        #expect(CPUCapabilities.InstructionSet(oneDNN: dnnl_cpu_isa_avx2_vnni_2) == .avx2)
        #expect(CPUCapabilities.InstructionSet(oneDNN: dnnl_cpu_isa_avx512_core_vnni) == .avx512)
        #expect(CPUCapabilities.InstructionSet(oneDNN: dnnl_cpu_isa_avx512_core_fp16) == .avx512BFloat16)
        #expect(CPUCapabilities.InstructionSet(oneDNN: dnnl_cpu_isa_avx512_core_amx_fp16) == .amx)
        #expect(CPUCapabilities.InstructionSet(oneDNN: dnnl_cpu_isa_sse41) == .portable)
    }
}
