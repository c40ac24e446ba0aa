import JSON

/// The `options_json` object of `mr_open`. Unknown keys are errors so a typo such as
/// "verify_ssl" cannot silently leave a default in place.
struct OpenOptions: Equatable {
    var token: String?
    var caFile: String?
    var verifyTLS = true
    var timeoutMilliseconds = 60_000
    var connectTimeoutMilliseconds = 10_000
    var maxPageSize: Int?
    var responseCache = true

    static let known: Set<String> = ["token", "ca_file", "verify_tls", "timeout_ms", "connect_timeout_ms", "max_page_size",
                                     "response_cache"]

    static func parse(_ text: String?) throws -> OpenOptions {
        var options = OpenOptions()
        guard let text, !text.allSatisfy(\.isWhitespace) else { return options }
        let document: JSON
        do {
            document = try JSON.parse(text)
        } catch {
            throw CABIError(.misuse, "options are not valid JSON: \(error)")
        }
        guard let fields = document.objectValue else {
            throw CABIError(.misuse, "options must be a JSON object, not \(document.kindName)")
        }
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            guard known.contains(key) else {
                throw CABIError(.misuse, "unknown option \"\(key)\" (known: \(known.sorted().joined(separator: ", ")))")
            }
            if value.isNull { continue }  // null means "the default"
            switch key {
            case "token": options.token = try string(value, key)
            case "ca_file": options.caFile = try string(value, key)
            case "verify_tls": options.verifyTLS = try bool(value, key)
            case "timeout_ms": options.timeoutMilliseconds = try count(value, key)
            case "connect_timeout_ms": options.connectTimeoutMilliseconds = try count(value, key)
            case "max_page_size": options.maxPageSize = try count(value, key, minimum: 1)
            case "response_cache": options.responseCache = try bool(value, key)
            default:
                break
            }
        }
        return options
    }

    private static func string(_ value: JSON, _ key: String) throws -> String {
        guard let text = value.stringValue else { throw wrongKind(key, "a string", value) }
        guard !text.utf8.contains(0) else { throw CABIError(.misuse, "option \"\(key)\" contains a NUL byte") }
        return text
    }

    private static func bool(_ value: JSON, _ key: String) throws -> Bool {
        guard case .bool(let flag) = value else { throw wrongKind(key, "a boolean", value) }
        return flag
    }

    private static func count(_ value: JSON, _ key: String, minimum: Int64 = 0) throws -> Int {
        guard case .int(let number) = value, number >= minimum, number <= Int64(Int32.max) else {
            throw CABIError(.misuse, "option \"\(key)\" must be an integer from \(minimum) to \(Int32.max)")
        }
        return Int(number)
    }

    private static func wrongKind(_ key: String, _ expected: String, _ value: JSON) -> CABIError {
        CABIError(.misuse, "option \"\(key)\" must be \(expected), not \(value.kindName)")
    }
}
