import Foundation

/// A one-line chart of values between 0 and 1.
public enum Sparkline {
    package static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The values scaled to their own range: the lowest draws as ▁, the highest as █, so that
    /// 79–93% is not an almost flat line. Equal values draw at mid height.
    public static func renderScaled(_ values: [Double?]) -> String {
        let known = values.compactMap { $0 }
        guard let low = known.min(), let high = known.max() else { return render(values) }
        guard high - low > 1e-9 else { return render(values.map { $0.map { _ in 0.5 } }) }
        return render(values.map { $0.map { ($0 - low) / (high - low) } })
    }

    public static func render(_ values: [Double?]) -> String {
        String(
            values.map { value -> Character in
                guard let value else { return " " }
                let index = Int((min(max(value, 0), 1) * Double(blocks.count - 1)).rounded())
                return blocks[index]
            })
    }
}
