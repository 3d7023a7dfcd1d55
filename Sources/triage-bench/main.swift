import Foundation
import TriageKit

let path = CommandLine.arguments[1]
let start = Date()
var count = 0
let info = try ReportReader.read(URL(fileURLWithPath: path)) { _ in count += 1 }
let elapsed = Date().timeIntervalSince(start)
print("cases \(count) in \(elapsed)s; \(Double(info.size) / 1_048_576 / elapsed) MB/s")
print((try? String(contentsOfFile: "/proc/self/status", encoding: .utf8))?.split(separator: "\n").filter { $0.hasPrefix("VmHWM") } ?? [])
