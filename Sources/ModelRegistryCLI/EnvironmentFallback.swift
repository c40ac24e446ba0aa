#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Configuration comes from flags, with environment variables as fallbacks (DESIGN.md).
/// Empty variables count as unset.
enum EnvironmentFallback {
    static func string(_ name: String) -> String? {
        guard let value = getenv(name).map({ String(cString: $0) }), !value.isEmpty else { return nil }
        return value
    }

    static func int(_ name: String) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text) else { throw EnvironmentError(name: name, value: text, expected: "an integer") }
        return value
    }

    /// true/1/yes/on or false/0/no/off.
    static func bool(_ name: String) throws -> Bool? {
        guard let text = string(name) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw EnvironmentError(name: name, value: text, expected: "true or false")
        }
    }

    static func double(_ name: String) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text) else { throw EnvironmentError(name: name, value: text, expected: "a number") }
        return value
    }
}

struct EnvironmentError: Error, CustomStringConvertible {
    let name: String
    let value: String
    let expected: String

    var description: String { "\(name)=\(value) is not \(expected)" }
}
