#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import API

/// Turns FastCGI parameters and the request body into the transport-neutral `Request`.
enum RequestMapping {
    private static let httpPrefix: [UInt8] = Array("HTTP_".utf8)
    /// The CGI parameters `request(from:body:)` reads, besides the HTTP_* headers.
    private static let usedParams: [[UInt8]] = [
        "REQUEST_METHOD", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH", "DOCUMENT_URI",
        "REQUEST_URI", "SCRIPT_NAME", "PATH_INFO",
    ].map { Array($0.utf8) }
    private static let contentHeaders = [("CONTENT_TYPE", "content-type"), ("CONTENT_LENGTH", "content-length")]

    /// Whether the parameter named `name` is one `request(from:body:)` reads: the filter for
    /// `FastCGIParams(environment:keeps:)`.
    static func uses(param name: UnsafeRawBufferPointer) -> Bool {
        // Runs for every parameter of every request: lengths first, then memcmp.
        guard let base = name.baseAddress else { return false }
        if name.count >= httpPrefix.count, memcmp(base, httpPrefix, httpPrefix.count) == 0 { return true }
        for used in usedParams where used.count == name.count {
            if memcmp(base, used, used.count) == 0 { return true }
        }
        return false
    }

    static func request(from params: FastCGIParams, body: [UInt8]) -> Request {
        Request(
            method: params["REQUEST_METHOD"].flatMap { $0.isEmpty ? nil : $0 } ?? "GET",
            path: path(from: params),
            query: query(from: params),
            headers: headers(from: params),
            body: body
        )
    }

    /// The decoded path: nginx's DOCUMENT_URI ($uri) when present, else the CGI
    /// SCRIPT_NAME + PATH_INFO, else REQUEST_URI without its query, percent-decoded.
    static func path(from params: FastCGIParams) -> String {
        if let documentURI = params["DOCUMENT_URI"], !documentURI.isEmpty {
            return documentURI
        }
        let scriptPath = (params["SCRIPT_NAME"] ?? "") + (params["PATH_INFO"] ?? "")
        if !scriptPath.isEmpty {
            return scriptPath
        }
        if let requestURI = params["REQUEST_URI"], !requestURI.isEmpty {
            let rawPath = requestURI.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
            return PercentDecoding.decode(rawPath, plusAsSpace: false)
        }
        return "/"
    }

    /// QUERY_STRING, or the query part of REQUEST_URI when the server sent no QUERY_STRING.
    static func query(from params: FastCGIParams) -> String {
        if let query = params["QUERY_STRING"] {
            return query
        }
        let parts = (params["REQUEST_URI"] ?? "").split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 ? String(parts[1]) : ""
    }

    /// HTTP_* parameters as lower-case header names (`HTTP_X_MODEL_ID` → `x-model-id`), plus
    /// content-type and content-length, which CGI passes without the HTTP_ prefix.
    /// Repeated headers are joined the way HTTP allows (cookies with "; ", others with ", ").
    static func headers(from params: FastCGIParams) -> [String: String] {
        var headers: [String: String] = [:]
        for (name, value) in params.entries {
            guard let header = headerName(forParam: name) else { continue }
            if let existing = headers[header] {
                headers[header] = existing + (header == "cookie" ? "; " : ", ") + value
            } else {
                headers[header] = value
            }
        }
        for (param, header) in contentHeaders {
            if let value = params[param], !value.isEmpty {
                headers[header] = value
            }
        }
        return headers
    }

    static func headerName(forParam name: String) -> String? {
        let utf8 = name.utf8
        guard utf8.count > 5, utf8.withContiguousStorageIfAvailable({ $0.starts(with: httpPrefix) }) ?? utf8.starts(with: httpPrefix)
        else { return nil }
        let header = utf8.dropFirst(5)
        guard !header.elementsEqual("CONTENT_TYPE".utf8), !header.elementsEqual("CONTENT_LENGTH".utf8) else { return nil }
        // Every request carries a few of these: map ASCII names byte by byte.
        if header.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: header.map { byte -> UInt8 in
                if byte == UInt8(ascii: "_") { return UInt8(ascii: "-") }
                return byte >= 65 && byte <= 90 ? byte + 32 : byte
            }, as: UTF8.self)
        }
        return String(Substring(header).lowercased().map { $0 == "_" ? "-" : $0 })
    }
}
