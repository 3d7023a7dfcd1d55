import Crypto
import Foundation
import TriageModel
import TriageStore

/// Finds the result files a user names and fingerprints them.
public enum ResultFiles {
    /// File name endings read when a folder is named.
    public static let extensions: Set<String> = ["xml", "trx"]

    /// The files named, with every result file under each named folder (sorted, recursive).
    public static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw TriageError.badInput(file: path, line: nil, reason: "no such file or folder")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let found = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                .filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }
                // Natural order: results-2.xml before results-10.xml.
                .sorted { $0.compare($1, options: [.numeric]) == .orderedAscending }
                .map { (path as NSString).appendingPathComponent($0) }
            if found.isEmpty {
                throw TriageError.badInput(
                    file: path, line: nil, reason: "the folder holds no .xml or .trx result files")
            }
            files += found
        }
        return files
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// SHA-256 (hex) of a string.
    static func sha256(_ text: String) -> String {
        hex(SHA256.hash(data: Data(text.utf8)))
    }
}
