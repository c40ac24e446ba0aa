import Foundation

/// Parses `--archived-before`: milliseconds since the epoch (digits only), an ISO 8601 date
/// (`2024-01-31`, midnight UTC) or date-time (`2024-01-31T12:00:00Z`, `…T12:00:00.250+02:00`;
/// without a zone the time is UTC).
public enum PurgeDate {
    public static func parse(_ text: String) throws -> Int64 {
        let value = text.trimmingCharacters(in: .whitespaces)
        if !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let ms = Int64(value) else { throw invalid(text) }
            return ms
        }
        let bytes = Array(value.utf8)
        var index = 0
        func number(_ digits: Int) throws -> Int64 {
            guard index + digits <= bytes.count else { throw invalid(text) }
            var result: Int64 = 0
            for byte in bytes[index..<index + digits] {
                guard byte >= 0x30, byte <= 0x39 else { throw invalid(text) }
                result = result * 10 + Int64(byte - 0x30)
            }
            index += digits
            return result
        }
        func expect(_ character: Character) throws {
            guard index < bytes.count, bytes[index] == character.asciiValue else { throw invalid(text) }
            index += 1
        }
        let year = try number(4)
        try expect("-")
        let month = try number(2)
        try expect("-")
        let day = try number(2)
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else { throw invalid(text) }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        var millis: Int64 = 0
        if index < bytes.count {
            guard bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: " ") else { throw invalid(text) }
            index += 1
            let hour = try number(2)
            try expect(":")
            let minute = try number(2)
            var second: Int64 = 0
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                index += 1
                second = try number(2)
                if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                    index += 1
                    var digits = 0
                    var fraction: Int64 = 0
                    while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                        if digits < 3 { fraction = fraction * 10 + Int64(bytes[index] - 0x30) }
                        digits += 1
                        index += 1
                    }
                    guard digits > 0 else { throw invalid(text) }
                    if digits < 3 { for _ in digits..<3 { fraction *= 10 } }
                    millis = fraction
                }
            }
            guard hour < 24, minute < 60, second < 60 else { throw invalid(text) }
            seconds += hour * 3600 + minute * 60 + second
            if index < bytes.count {
                if bytes[index] == UInt8(ascii: "Z") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    let sign: Int64 = bytes[index] == UInt8(ascii: "+") ? 1 : -1
                    index += 1
                    let offsetHours = try number(2)
                    if index < bytes.count, bytes[index] == UInt8(ascii: ":") { index += 1 }
                    let offsetMinutes = try number(2)
                    guard offsetHours < 24, offsetMinutes < 60 else { throw invalid(text) }
                    seconds -= sign * (offsetHours * 3600 + offsetMinutes * 60)
                } else {
                    throw invalid(text)
                }
            }
        }
        guard index == bytes.count else { throw invalid(text) }
        return seconds * 1000 + millis
    }

    private static func invalid(_ text: String) -> AdminError {
        AdminError.usage("--archived-before must be milliseconds since the epoch or an ISO 8601 date such as 2024-01-31 or 2024-01-31T12:00:00Z, not \"\(text)\"")
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
