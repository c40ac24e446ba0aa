import CCurl

/// Per-request settings shared by every connection of a remote handle.
struct CurlSettings {
    var verifyTLS: Bool
    var caFile: String?
    var timeoutMilliseconds: Int
    var connectTimeoutMilliseconds: Int
    /// Prebuilt header lists; libcurl only reads them, so connections share them.
    var headers: UnsafeMutablePointer<curl_slist>?
    var headersWithJSONBody: UnsafeMutablePointer<curl_slist>?
}

/// One libcurl easy handle. libcurl keeps the handle's connection open between requests
/// (also across `curl_easy_reset`), which is the keep-alive reuse.
final class CurlConnection {
    private let easy: UnsafeMutableRawPointer
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))

    init() throws {
        guard let easy = curl_easy_init() else { throw CABIError(.noMemory, "cannot create a libcurl handle") }
        self.easy = easy
    }

    deinit {
        curl_easy_cleanup(easy)
        errorBuffer.deallocate()
    }

    func perform(method: String, url: String, body: [UInt8], settings: CurlSettings) throws -> IncomingResponse {
        let sink = BodySink()
        errorBuffer[0] = 0
        curl_easy_reset(easy)
        var code = configure(url: url, settings: settings, hasBody: !body.isEmpty, sink: sink)
        if code == CURLE_OK {
            code = body.withUnsafeBufferPointer { bytes in
                let configured = configureMethod(method, body: bytes)
                return configured == CURLE_OK ? curl_easy_perform(easy) : configured
            }
        }
        // The handle must not keep pointers into this call's buffers.
        _ = CurlFunctions.setPointer(easy, CURLOPT_WRITEDATA, nil)
        _ = CurlFunctions.setPointer(easy, CURLOPT_POSTFIELDS, nil)
        guard code == CURLE_OK else { throw failure(code, method: method, url: url) }
        var status = 0
        _ = CurlFunctions.getLong(easy, CURLINFO_RESPONSE_CODE, &status)
        return IncomingResponse(status: status, body: sink.bytes)
    }

    private func configure(url: String, settings: CurlSettings, hasBody: Bool, sink: BodySink) -> CURLcode {
        let longs: [(CURLoption, Int)] = [
            (CURLOPT_NOSIGNAL, 1),
            (CURLOPT_TIMEOUT_MS, settings.timeoutMilliseconds),
            (CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeoutMilliseconds),
            (CURLOPT_SSL_VERIFYPEER, settings.verifyTLS ? 1 : 0),
            (CURLOPT_SSL_VERIFYHOST, settings.verifyTLS ? 2 : 0),
        ]
        for (option, value) in longs {
            let code = CurlFunctions.setLong(easy, option, value)
            if code != CURLE_OK { return code }
        }
        // The URL's scheme was checked at open and redirects are not followed, so only
        // http(s) is ever spoken.
        var strings: [(CURLoption, String)] = [(CURLOPT_URL, url)]
        if let caFile = settings.caFile { strings.append((CURLOPT_CAINFO, caFile)) }
        for (option, value) in strings {
            // libcurl copies string options.
            let code = value.withCString { CurlFunctions.setPointer(easy, option, $0) }
            if code != CURLE_OK { return code }
        }
        let pointers: [(CURLoption, UnsafeRawPointer?)] = [
            (CURLOPT_ERRORBUFFER, UnsafeRawPointer(errorBuffer)),
            (CURLOPT_HTTPHEADER, UnsafeRawPointer(hasBody ? settings.headersWithJSONBody : settings.headers)),
            (CURLOPT_WRITEFUNCTION, unsafeBitCast(appendToSink, to: UnsafeRawPointer.self)),
            (CURLOPT_WRITEDATA, UnsafeRawPointer(Unmanaged.passUnretained(sink).toOpaque())),
        ]
        for (option, value) in pointers {
            let code = CurlFunctions.setPointer(easy, option, value)
            if code != CURLE_OK { return code }
        }
        return CURLE_OK
    }

    private func configureMethod(_ method: String, body: UnsafeBufferPointer<UInt8>) -> CURLcode {
        switch method {
        case "GET" where body.isEmpty:
            return CURLE_OK
        case "HEAD" where body.isEmpty:
            return CurlFunctions.setLong(easy, CURLOPT_NOBODY, 1)
        default:
            let code = method.withCString { CurlFunctions.setPointer(easy, CURLOPT_CUSTOMREQUEST, $0) }
            guard code == CURLE_OK else { return code }
            guard !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) else { return CURLE_OK }
            // Size first: without it libcurl would take strlen of the body. A non-NULL pointer
            // even when empty, else libcurl would read the body from stdin.
            let sized = CurlFunctions.setOffset(easy, CURLOPT_POSTFIELDSIZE_LARGE, body.count)
            guard sized == CURLE_OK else { return sized }
            return CurlFunctions.setPointer(easy, CURLOPT_POSTFIELDS, body.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(emptyBody))
        }
    }

    private func failure(_ code: CURLcode, method: String, url: String) -> CABIError {
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        let where_ = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        let message = "\(method) \(where_): \(detail)"
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return CABIError(.timeout, message)
        case CURLE_OUT_OF_MEMORY: return CABIError(.noMemory, message)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: return CABIError(.misuse, message)
        default: return CABIError(.io, message)
        }
    }
}

/// Collects the response body during one `curl_easy_perform`.
private final class BodySink {
    var bytes: [UInt8] = []
}

private let emptyBody = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

private let appendToSink: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, context in
    guard let context else { return 0 }
    let length = size * count
    if let data, length > 0 {
        Unmanaged<BodySink>.fromOpaque(context).takeUnretainedValue().bytes
            .append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    }
    return length
}
