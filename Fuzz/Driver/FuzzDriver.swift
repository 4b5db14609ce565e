import ParadiffuseFuzzTargets
import Foundation

// Built with `-sanitize=fuzzer -DFUZZING` (`make fuzz`), this is a libFuzzer binary running the target named by
// PARADIFFUSE_FUZZ_TARGET (`list` prints the targets' names). Built normally, it replays inputs: `paradiffuse-fuzz TARGET FILE|FOLDER...`.
//
// SwiftPM links every executable with `main` aliased to `<module>_main`, so the fuzzing build defines that and
// hands over to libFuzzer's driver, instead of using libFuzzer's own `main`.

#if FUZZING
private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["PARADIFFUSE_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let known = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("PARADIFFUSE_FUZZ_TARGET is '\(name)'; set it to one of \(known)\n".utf8))
        exit(2)
    }
    return target
}()

public typealias Arguments = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<Arguments?>,
                             _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("paradiffuse_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: Arguments?) -> CInt {
    if ProcessInfo.processInfo.environment["PARADIFFUSE_FUZZ_TARGET"] == "list" {
        print(FuzzTarget.allCases.map(\.rawValue).joined(separator: "\n"))
        return 0
    }
    _ = target
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv) { start, count in
        target.run(start.map { Data(bytes: $0, count: count) } ?? Data())
        return 0
    }
}
#else
@main
struct FuzzReplay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
            let known = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            FileHandle.standardError.write(Data("usage: paradiffuse-fuzz \(known) FILE|FOLDER...\n".utf8))
            exit(2)
        }
        var replayed = 0
        for path in arguments.dropFirst() {
            for input in FuzzCorpus.inputs(at: URL(fileURLWithPath: path)) {
                target.run(input.data)
                replayed += 1
            }
        }
        print("\(name): \(replayed) inputs replayed without a crash")
    }
}
#endif
