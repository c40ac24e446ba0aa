import Foundation
import JSON

/// What an operation hands back: one JSON document for `--json`, text for a terminal, and
/// whether it found problems (exit status 1 even though the operation itself ran).
public protocol AdminReport {
    /// The document printed with `--json`; always an object with an `ok` member.
    var json: JSON { get }
    /// Human-readable lines.
    var text: String { get }
    /// True when the operation ran but found something wrong (e.g. `check` problems).
    var problemsFound: Bool { get }
}

extension AdminReport {
    public var exitStatus: Int32 { problemsFound ? 1 : 0 }
}

/// Small helpers for building report documents.
enum ReportJSON {
    static func int(_ value: Int) -> JSON { .int(Int64(value)) }
    static func int(_ value: Int64) -> JSON { .int(value) }
    static func optionalInt(_ value: Int64?) -> JSON { value.map(JSON.int) ?? .null }
    static func strings(_ values: [String]) -> JSON { .array(values.map(JSON.string)) }

    static func counts(_ values: [String: Int]) -> JSON {
        .object(values.mapValues { .int(Int64($0)) })
    }
}

/// Human formatting of sizes and tables.
enum TextFormat {
    static func bytes(_ value: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var size = Double(value)
        var unit = 0
        while size >= 1024, unit < units.count - 1 {
            size /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f %@ (%lld bytes)", size, units[unit], value)
    }

    static func signedBytes(_ value: Int64) -> String {
        value < 0 ? "-" + bytes(-value) : bytes(value)
    }

    /// Left-aligned columns separated by two spaces.
    static func table(_ rows: [[String]]) -> [String] {
        guard let columns = rows.map(\.count).max() else { return [] }
        var widths = Array(repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}
