import Foundation
import ParadiffuseLoading
import Testing

/// What apps show (`localizedDescription`) is the message naming the file, not Foundation's "The operation could
/// not be completed".
@Test func localizedDescriptionIsTheMessageNamingTheFile() {
    let url = URL(fileURLWithPath: "/models/sd/unet")
    let error: Error = LoadingError.notAModelFolder(url)
    #expect(error.localizedDescription == "\(LoadingError.notAModelFolder(url))")
    #expect(error.localizedDescription.contains("/models/sd/unet"))
    let write: Error = FileWriteError.exists(url)
    #expect(write.localizedDescription == "/models/sd/unet already exists (pass --overwrite to replace it)")
}
