import CCurl

/// A registry server over HTTP(S). Each request borrows an idle connection (or opens one),
/// so threads run in parallel and connections are reused.
final class RemoteTransport: Transport {
    private static let maxIdleConnections = 16
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    private let baseURL: String
    private let settings: CurlSettings
    private let lock = Lock()
    private var idle: [CurlConnection] = []

    init(baseURL: String, options: OpenOptions) throws {
        guard Self.globalInit == CURLE_OK else {
            throw CABIError(.cantOpen, "libcurl failed to initialise: \(String(cString: curl_easy_strerror(Self.globalInit)))")
        }
        var lines = ["Accept: application/json", "Expect:"]
        if let token = options.token {
            guard !token.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw CABIError(.misuse, "option \"token\" must not contain line breaks")
            }
            lines.append("Authorization: Bearer \(token)")
        }
        let headers = try Self.headerList(lines)
        let withBody = try Self.headerList(lines + ["Content-Type: application/json"])
        self.baseURL = baseURL
        settings = CurlSettings(verifyTLS: options.verifyTLS, caFile: options.caFile,
                                timeoutMilliseconds: options.timeoutMilliseconds,
                                connectTimeoutMilliseconds: options.connectTimeoutMilliseconds,
                                headers: headers, headersWithJSONBody: withBody)
    }

    deinit {
        idle.removeAll()
        curl_slist_free_all(settings.headers)
        curl_slist_free_all(settings.headersWithJSONBody)
    }

    func send(_ request: OutgoingRequest) throws -> IncomingResponse {
        let url = baseURL + request.path + (request.query.isEmpty ? "" : "?" + request.query)
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try connection.perform(method: request.method, url: url, body: request.body, settings: settings)
    }

    private func checkOut() throws -> CurlConnection {
        if let connection = lock.withLock({ idle.popLast() }) { return connection }
        return try CurlConnection()
    }

    private func checkIn(_ connection: CurlConnection) {
        lock.withLock {
            if idle.count < Self.maxIdleConnections { idle.append(connection) }
        }
    }

    private static func headerList(_ lines: [String]) throws -> UnsafeMutablePointer<curl_slist> {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let extended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw CABIError(.noMemory, "cannot build the request headers")
            }
            list = extended
        }
        return list!
    }
}
