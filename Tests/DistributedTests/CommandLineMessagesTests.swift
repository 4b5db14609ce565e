import Foundation
import ParadiffuseLoading
import ParadiffusePipelines
import ParadiffuseTensors
import Testing

/// Bad input on the command line, in a model folder or for an output ends the run before any work with a message
/// naming the option, file or key and the reason (issue 13), instead of a parser's generic message, a silent
/// black image or a failure after sampling.
struct CommandLineMessagesTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("paradiffuse-messages-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// Usage errors (a bad option or value) end with exit code 64 and where to find help; others with 1.
    func fails(_ arguments: [String], saying text: String, usageError: Bool = false) throws {
        let run = try CommandRun(Programs.paradiffuse, arguments, limit: 60)
        #expect(run.status == (usageError ? 64 : 1) && !run.timedOut, "\(arguments): exit \(run.status): \(run.standardError)")
        #expect(run.standardError.contains("--help' for more information") == usageError, "\(run.standardError)")
        #expect(run.standardError.contains(text), "\(arguments): \(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.png").path))
    }

    func generate(_ extra: [String]) -> [String] {
        ["generate", "--steps", "2", "--quiet", "--output", folder.appendingPathComponent("out.png").path] + extra
    }

    /// A copy of the default digits model, its weights or scheduler configuration changed.
    func digitsModel(weights edit: ((inout Tensor) -> Void)? = nil, scheduler: [String: String] = [:]) throws -> URL {
        let model = folder.appendingPathComponent("digits", isDirectory: true)
        try FileManager.default.copyItem(at: DefaultModel.url, to: model)
        if let edit {
            let url = model.appendingPathComponent("unet/diffusion_pytorch_model.safetensors")
            let file = try SafetensorsFile(url: url)
            var tensors = try Dictionary(uniqueKeysWithValues: file.tensorNames.map { ($0, try file.tensor(named: $0)) })
            edit(&tensors["conv_in.weight", default: Tensor(zeros: [1])])
            try SafetensorsWriter.write(tensors, to: url, overwrite: true)
        }
        let configURL = model.appendingPathComponent("scheduler/scheduler_config.json")
        var config = try String(contentsOf: configURL, encoding: .utf8)
        for (key, value) in scheduler {
            config = config.replacingOccurrences(of: #""\#(key)": [^,\n]*"#, with: #""\#(key)": \#(value)"#,
                                                 options: .regularExpression)
        }
        try AtomicFile.write(Data(config.utf8), to: configURL, overwrite: true)
        return model
    }

    @Test func negativeNumbersReachTheOptionsCheck() throws {
        try fails(generate(["--count", "-3"]), saying: "--count must be in 1...4096, got -3", usageError: true)
        try fails(["generate", "--steps", "-1"], saying: "--steps must be at least 1, got -1", usageError: true)
    }

    @Test func missingModelFolderAndAFileAsModelAreNamed() throws {
        let missing = folder.appendingPathComponent("no-such-model").path
        try fails(generate(["--model", missing]), saying: "there is no model folder \(missing)")
        let file = folder.appendingPathComponent("model.safetensors")
        try Data("x".utf8).write(to: file)
        try fails(generate(["--model", file.path]), saying: "\(file.path) is a file; a diffusers model is a folder")
    }

    @Test func outputThatCannotBeWrittenIsAnErrorBeforeSampling() throws {
        let longName = String(repeating: "n", count: 300) + ".png"
        try fails(["generate", "--steps", "2", "--output", folder.appendingPathComponent(longName).path],
                  saying: "the file name is 304 bytes long; file systems allow at most 255")
        try fails(["generate", "--steps", "2", "--output", "/sys/out.png"], saying: "folder /sys cannot be written to")
    }

    @Test func nanWeightsStopAtTheFirstStepNamingTheWeights() throws {
        let model = try digitsModel(weights: { tensor in
            tensor.withUnsafeMutableBufferPointer { $0[0] = .nan }
        })
        try fails(generate(["--model", model.path]), saying: "its weights probably hold NaN")
    }

    @Test func nanOrNegativeBetaIsAnErrorNamingTheKey() throws {
        for value in ["NaN", "-0.5"] {
            let model = try digitsModel(scheduler: ["beta_start": value])
            try fails(generate(["--model", model.path]), saying: "key 'beta_start'")
            try FileManager.default.removeItem(at: model)
        }
    }
}

extension CommandLineMessagesTests {
    @Test func schedulesThatCannotLeaveNoiseAreRefused() throws {
        try fails(generate(["--scheduler", "pndm", "--steps", "1"]),
                  saying: "'num_inference_steps' is 1; the Runge–Kutta warm-up needs at least 4 steps")
        try fails(generate(["--scheduler", "ddim", "--steps", "1"]),
                  saying: "1 step of ddim start at timestep 0 of 1000: from pure noise there the image stays noise")
    }
}

extension CommandLineMessagesTests {
    @Test func runTooLargeForTheMemoryIsRefusedBeforeSampling() throws {
        let tinySD = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/stable-diffusion/tiny-sd").path
        try fails(generate(["--model", tinySD, "--prompt", "a cat", "--width", "16384", "--height", "16384"]),
                  saying: "GiB for the UNet (2 × 8192×8192), but")
    }
}

extension CommandLineMessagesTests {
    /// A 64 KiB file system: the images of 64 digits and their grid do not fit. Needs `mount` (root, as on the
    /// project's machines); skipped with the reason printed where the mount is refused.
    @Test func fullDiskIsNamedWithItsReasonAndLeavesNoTemporaryFile() throws {
        let disk = folder.appendingPathComponent("tiny-disk", isDirectory: true)
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        let mount = try CommandRun(URL(fileURLWithPath: "/bin/mount"),
                                   ["-t", "tmpfs", "-o", "size=64k", "tmpfs", disk.path], limit: 10)
        guard mount.status == 0 else {
            print("skipped: cannot mount a small tmpfs here (\(mount.standardError.trimmingCharacters(in: .newlines)))")
            return
        }
        defer { _ = try? CommandRun(URL(fileURLWithPath: "/bin/umount"), [disk.path], limit: 10) }
        let run = try CommandRun(Programs.paradiffuse, ["generate", "--steps", "2", "--count", "64", "--grid", "--quiet",
                                                        "--output", disk.appendingPathComponent("digit.png").path],
                                 limit: 120)
        #expect(run.status == 1, "\(run.standardError)")
        #expect(run.standardError.contains("No space left on device"), "\(run.standardError)")
        let left = try FileManager.default.contentsOfDirectory(atPath: disk.path)
        #expect(!left.contains { $0.hasSuffix(".partial") }, "\(left)")
    }
}
