import Foundation

/// Reads the timestamps result files write: ISO 8601 with or without a zone or fractional
/// seconds (`2024-03-01T12:00:00`, `…Z`, `…+02:00`, `… 12:00:00`), or a date and a time in
/// two attributes (NUnit 2, xUnit.net). A time without a zone is taken as UTC.
package enum ReportTimestamp {
    package static func parse(_ text: String, time: String? = nil) -> Date? {
        var combined = String(asciiTrimmed(text))
        if let time {
            combined += "T" + asciiTrimmed(time)
        }
        let bytes = Array(combined.utf8)
        // yyyy-MM-dd
        guard bytes.count >= 10, let year = number(bytes, 0, 4), bytes[4] == UInt8(ascii: "-"),
            let month = number(bytes, 5, 2), bytes[7] == UInt8(ascii: "-"), let day = number(bytes, 8, 2),
            (1...12).contains(month), (1...31).contains(day), year >= 1970, year < 3000
        else { return nil }
        var components = DateComponents(
            calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"), year: year,
            month: month, day: day)
        var index = 10
        if index < bytes.count, bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: " ") {
            index += 1
            guard let hour = number(bytes, index, 2), index + 2 < bytes.count, bytes[index + 2] == UInt8(ascii: ":"),
                let minute = number(bytes, index + 3, 2), hour < 24, minute < 60
            else { return nil }
            components.hour = hour
            components.minute = minute
            index += 5
            if index < bytes.count, bytes[index] == UInt8(ascii: ":"), let second = number(bytes, index + 1, 2),
                second < 61
            {
                components.second = second
                index += 3
            }
            var nanos = 0
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
                index += 1
                var scale = 100_000_000
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                    nanos += Int(bytes[index] - UInt8(ascii: "0")) * scale
                    scale /= 10
                    index += 1
                }
            }
            components.nanosecond = nanos
            if index < bytes.count {
                let sign = bytes[index]
                if sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") {
                    index += 1
                } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), let hours = number(bytes, index + 1, 2)
                {
                    var minutes = 0
                    var next = index + 3
                    if next < bytes.count, bytes[next] == UInt8(ascii: ":") { next += 1 }
                    if let parsed = number(bytes, next, 2) {
                        minutes = parsed
                        next += 2
                    }
                    let offset = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
                    components.timeZone = TimeZone(secondsFromGMT: offset)
                    index = next
                }
            }
        }
        return components.date
    }

    private static func number(_ bytes: [UInt8], _ start: Int, _ length: Int) -> Int? {
        guard start >= 0, start + length <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[start..<(start + length)] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
