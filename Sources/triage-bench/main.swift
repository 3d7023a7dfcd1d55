import Foundation
import TriageKit

let path = CommandLine.arguments[1]
let dbPath = "/tmp/bench-\(getpid()).sqlite"
let start = Date()
let db = try TriageDatabase(path: dbPath)
let report = try Ingestor(database: db).ingest([path]) { p in
    if p.cases % 100000 == 0 { print("  \(p.cases) cases at \(p.elapsed)s") }
}
let elapsed = Date().timeIntervalSince(start)
print("cases \(report.totals?.tests ?? 0) in \(elapsed)s")
print((try? String(contentsOfFile: "/proc/self/status", encoding: .utf8))?.split(separator: "\n").filter { $0.hasPrefix("VmHWM") } ?? [])
