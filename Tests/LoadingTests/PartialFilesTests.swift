import Foundation
import Testing
@testable import ParadiffuseLoading

/// What the SIGINT/SIGTERM/SIGHUP handler removes: exactly the temporary files being written at that moment (here
/// those under this test's folder).
@Test func interruptedWritesLeaveNoTemporaryFile() throws {
    let folder = try TemporaryFolder()
    let done = folder.file("done.partial")
    try PartialFiles.whileWriting(done.path) { try Data("complete".utf8).write(to: done) }
    let writing = folder.file("writing.partial")
    let longName = folder.file(String(repeating: "a", count: 200) + ".partial")
    try PartialFiles.whileWriting(writing.path) {
        try PartialFiles.whileWriting(longName.path) {
            try Data("half".utf8).write(to: writing)
            try Data("half".utf8).write(to: longName)
            // Only this test's files: other tests write their own at the same time.
            PartialFiles.removeAll(under: folder.url.path + "/")
        }
    }
    #expect(!FileManager.default.fileExists(atPath: writing.path))
    #expect(!FileManager.default.fileExists(atPath: longName.path))
    #expect(FileManager.default.fileExists(atPath: done.path), "a file no longer being written was removed")
}
