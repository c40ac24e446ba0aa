import CCurl

/// Typed calls to libcurl's variadic option functions, through the C wrappers in CCurl's shim.
enum CurlFunctions {
    static func setLong(_ easy: UnsafeMutableRawPointer?, _ option: CURLoption, _ value: Int) -> CURLcode {
        mr_curl_setopt_long(easy, option, value)
    }

    static func setPointer(_ easy: UnsafeMutableRawPointer?, _ option: CURLoption, _ value: UnsafeRawPointer?) -> CURLcode {
        mr_curl_setopt_pointer(easy, option, value)
    }

    static func setOffset(_ easy: UnsafeMutableRawPointer?, _ option: CURLoption, _ value: Int) -> CURLcode {
        mr_curl_setopt_offset(easy, option, curl_off_t(value))
    }

    static func getLong(_ easy: UnsafeMutableRawPointer?, _ info: CURLINFO, _ value: UnsafeMutablePointer<Int>?) -> CURLcode {
        mr_curl_getinfo_long(easy, info, value)
    }
}
