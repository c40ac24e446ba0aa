import API

/// Turns FastCGI parameters and the request body into the transport-neutral `Request`.
enum RequestMapping {
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
        for (param, header) in [("CONTENT_TYPE", "content-type"), ("CONTENT_LENGTH", "content-length")] {
            if let value = params[param], !value.isEmpty {
                headers[header] = value
            }
        }
        return headers
    }

    static func headerName(forParam name: String) -> String? {
        guard name.hasPrefix("HTTP_"), name.utf8.count > 5 else { return nil }
        let header = name.dropFirst(5)
        guard header != "CONTENT_TYPE", header != "CONTENT_LENGTH" else { return nil }
        return String(header.lowercased().map { $0 == "_" ? "-" : $0 })
    }
}
