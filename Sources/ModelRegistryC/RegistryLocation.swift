import API

/// What an `mr_open` URI points at: a server, or an SQLite file to open in process.
enum RegistryLocation: Equatable {
    /// Base URL without a trailing slash; request paths are appended to it.
    case remote(baseURL: String)
    case embedded(path: String)

    static func parse(_ uri: String) throws -> RegistryLocation {
        guard !uri.isEmpty else { throw CABIError(.misuse, "the registry URI is empty") }
        let lower = uri.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            return .remote(baseURL: try remoteBase(uri))
        }
        for scheme in ["sqlite:", "file:"] where lower.hasPrefix(scheme) {
            return .embedded(path: try filePath(afterScheme: String(uri.dropFirst(scheme.count)), uri: uri))
        }
        if let schemeEnd = uri.range(of: "://"), isScheme(uri[..<schemeEnd.lowerBound]) {
            throw CABIError(.cantOpen, "unsupported registry URI scheme in \(uri): use http://, https://, sqlite:, file: or a file path")
        }
        return .embedded(path: uri)
    }

    private static func remoteBase(_ uri: String) throws -> String {
        guard !uri.contains("?"), !uri.contains("#") else {
            throw CABIError(.cantOpen, "a server URI takes no query or fragment: \(uri)")
        }
        let host = uri.split(separator: "/", omittingEmptySubsequences: false).dropFirst(2).first ?? ""
        guard !host.isEmpty else { throw CABIError(.cantOpen, "the server URI has no host: \(uri)") }
        var base = Substring(uri)
        while base.hasSuffix("/") { base = base.dropLast() }
        return String(base)
    }

    /// `sqlite:///abs`, `sqlite://localhost/abs`, `sqlite:/abs` and `sqlite:rel` (same for file:).
    private static func filePath(afterScheme rest: String, uri: String) throws -> String {
        guard !rest.contains("?"), !rest.contains("#") else {
            throw CABIError(.cantOpen, "query parameters are not supported in \(uri)")
        }
        var path = Substring(rest)
        if path.hasPrefix("//") {
            let afterSlashes = path.dropFirst(2)
            let authority = afterSlashes.prefix { $0 != "/" }
            guard authority.isEmpty || authority.lowercased() == "localhost" else {
                throw CABIError(.cantOpen, "a file URI must name a local file (host \(authority) in \(uri))")
            }
            path = afterSlashes.dropFirst(authority.count)
        }
        // A file name must be valid UTF-8 without NUL.
        let bytes = PercentDecoding.bytes(path, plusAsSpace: false)
        let decoded = String(decoding: bytes, as: UTF8.self)
        guard !bytes.isEmpty, !bytes.contains(0), Array(decoded.utf8) == bytes else {
            throw CABIError(.cantOpen, "no usable file path in \(uri)")
        }
        return decoded
    }

    private static func isScheme(_ text: Substring) -> Bool {
        guard let first = text.first, first.isLetter, first.isASCII else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }
}
