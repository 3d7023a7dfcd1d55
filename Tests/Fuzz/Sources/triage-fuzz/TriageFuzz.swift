import CFuzzDriver
import Foundation
import TriageKit

/// Where each input is written: the readers take files, as `triage` does.
private let inputPath: String = {
    let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return "\(folder)/triage-fuzz-\(getpid()).xml"
}()

/// One libFuzzer input: format detection and the detected format's parser, then every
/// parser forced on the same bytes. Errors are expected; crashes, hangs and leaks are not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    let url = URL(fileURLWithPath: inputPath)
    guard (try? data.write(to: url)) != nil else { return 0 }
    if let output = try? ParseOutput.parse([url.path]) { _ = output.text }
    let text = String(decoding: data.prefix(4096), as: UTF8.self)
    _ = (Markdown.cell(text), Markdown.code(text), Markdown.block(text), SafeText.line(text))
    for format in ReportFormat.allCases {
        _ = try? ReportReader.readAll(url, format: format)
    }
    return 0
}

/// The entry point SwiftPM links as `main`: hands the command line to libFuzzer's driver.
@_cdecl("triage_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in
        fuzz(data.map(UnsafeRawPointer.init), size)
    }
}
