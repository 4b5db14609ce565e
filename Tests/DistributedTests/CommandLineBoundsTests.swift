import Foundation
import Testing

/// Absurd sizes on the command line are errors before any work (issue 13): each run ends at once with exit 64
/// (a usage error) and a message naming the option and its limit, instead of minutes of work, an allocation abort or a crash in libgomp.
struct CommandLineBoundsTests {
    @Test(arguments: [
        (["generate", "--count", "10000000"], "--count"),
        (["generate", "--count", "4611686018427387904", "--prompt", "a", "--prompt", "b"], "--count"),
        (["generate", "--prompt", "a", "--prompt", "b", "--count", "4000"], "images in one run"),
        (["generate", "--width", "1099511627776"], "--width"),
        (["generate", "--height", "65536"], "--height"),
        (["generate", "--threads", "100000"], "--threads"),
        (["bench", "--batch", "1000000"], "--batch"),
        (["bench", "--width", "65536"], "--width"),
    ])
    func absurdSizeIsRefusedAtOnce(arguments: [String], option: String) throws {
        let run = try CommandRun(Programs.paradiffuse, arguments, limit: 30)
        #expect(run.status == 64 && run.seconds < 10, "\(arguments): exit \(run.status) after \(run.seconds) s")
        #expect(run.standardError.contains(option), "\(run.standardError)")
    }
}
