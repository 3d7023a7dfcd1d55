import Foundation
import TriageKit

let path = CommandLine.arguments[1]
let mode = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "ingest"
let start = Date()
if mode == "parse" {
    var count = 0
    _ = try ReportReader.read(URL(fileURLWithPath: path)) { _ in count += 1 }
    print("parsed \(count) cases in \(Date().timeIntervalSince(start))s")
} else {
    let dbPath = "/tmp/bench-\(getpid()).sqlite"
    let db = try TriageDatabase(path: dbPath)
    let report = try Ingestor(database: db).ingest([path])
    print("ingested \(report.totals?.tests ?? 0) cases in \(Date().timeIntervalSince(start))s")
}
print((try? String(contentsOfFile: "/proc/self/status", encoding: .utf8))?.split(separator: "\n").filter { $0.hasPrefix("VmHWM") } ?? [])
