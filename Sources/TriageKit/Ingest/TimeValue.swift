import Foundation
import TriageModel
import TriageStore

/// Lenient parsing of the duration attributes producers write.
enum TimeValue {
    /// Seconds from `0.5`, `1.5e-3`, `2,503.1` (thousands), `0,288` (decimal comma),
    /// `00:00:01.2345678` (TRX); negatives become 0; anything else (`<<computed>>`, empty) is nil.
    static func seconds(_ raw: String?) -> Double? {
        guard let raw else { return nil }
        let trimmed = asciiTrimmed(raw)
        if let plain = Double(trimmed) { return plain.isFinite ? max(0, plain) : nil }
        var text = String(trimmed)
        if text.isEmpty { return nil }
        if text.contains(":" as Character) { return clockSeconds(text) }
        if text.contains("," as Character) {
            if text.contains("." as Character) {
                text.removeAll { $0 == "," }
            } else {
                let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                let isThousands =
                    parts.count > 1 && parts.dropFirst().allSatisfy { $0.count == 3 }
                    && !(parts.first.map { $0 == "0" || $0 == "-0" } ?? true)
                text = isThousands ? parts.joined() : text.replacingOccurrences(of: ",", with: ".")
            }
        }
        guard let value = Double(text), value.isFinite else { return nil }
        return max(0, value)
    }

    private static func clockSeconds(_ text: String) -> Double? {
        let parts = text.split(separator: ":")
        guard parts.count == 3, let hours = Double(parts[0]), let minutes = Double(parts[1]),
            let seconds = Double(parts[2])
        else { return nil }
        return max(0, hours * 3600 + minutes * 60 + seconds)
    }
}
