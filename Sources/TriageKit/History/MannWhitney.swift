import Foundation
import TriageModel
import TriageStore

/// The Mann–Whitney U test (Wilcoxon rank-sum), one-sided: are the later values larger than
/// the earlier ones? A rank test, so one very slow run moves it no more than any other run.
/// Without ties and for up to `exactLimit` values in all, the p-value is exact (the U
/// distribution counted over all orderings); otherwise the normal approximation with the
/// tie correction and a continuity correction.
struct MannWhitney {
    static let exactLimit = 50

    /// Counts of U for (m, n) sample sizes, built on demand and kept for the next call.
    private var tables: [Int: [Double]] = [:]

    /// P(U ≥ observed U of `later`) when both samples come from one distribution.
    mutating func pValue(earlier: [Double], later: [Double]) -> Double {
        let m = earlier.count, n = later.count
        guard m > 0, n > 0 else { return 1 }
        // Ranks over both samples, ties sharing their mean rank.
        let all = (earlier.map { ($0, false) } + later.map { ($0, true) }).sorted { $0.0 < $1.0 }
        var rankSumLater = 0.0
        var tieTerm = 0.0
        var hasTies = false
        var index = 0
        while index < all.count {
            var end = index
            while end + 1 < all.count, all[end + 1].0 == all[index].0 { end += 1 }
            let rank = Double(index + end + 2) / 2
            let size = Double(end - index + 1)
            if size > 1 {
                hasTies = true
                tieTerm += size * size * size - size
            }
            for position in index...end where all[position].1 { rankSumLater += rank }
            index = end + 1
        }
        let u = rankSumLater - Double(n * (n + 1)) / 2
        if !hasTies, m + n <= Self.exactLimit {
            let counts = table(m, n)
            let total = counts.reduce(0, +)
            let atLeast = counts[Int(u.rounded())...].reduce(0, +)
            return atLeast / total
        }
        let mean = Double(m * n) / 2
        let total = Double(m + n)
        let variance = Double(m * n) / 12 * ((total + 1) - tieTerm / (total * (total - 1)))
        guard variance > 0 else { return 1 }
        let z = (u - mean - 0.5) / variance.squareRoot()
        return 0.5 * erfc(z / 2.0.squareRoot())
    }

    /// How many orderings of m earlier and n later values give each U (0…m·n): the number with
    /// U = u satisfies f(m, n, u) = f(m − 1, n, u) + f(m, n − 1, u − m) (the largest value is
    /// earlier, or later and above all m earlier ones).
    private mutating func table(_ m: Int, _ n: Int) -> [Double] {
        let key = m * 1000 + n
        if let known = tables[key] { return known }
        var counts: [Double]
        if m == 0 || n == 0 {
            counts = [1]
        } else {
            let withoutEarlier = table(m - 1, n)
            let withoutLater = table(m, n - 1)
            counts = Array(repeating: 0, count: m * n + 1)
            for (u, count) in withoutEarlier.enumerated() { counts[u] += count }
            for (u, count) in withoutLater.enumerated() { counts[u + m] += count }
        }
        tables[key] = counts
        return counts
    }
}
