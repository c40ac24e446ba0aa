/// The MR_* result codes of include/modelregistry.h.
enum ResultCode: Int32 {
    case ok = 0
    case error = 1
    case misuse = 2
    case noMemory = 3
    case cantOpen = 4
    case io = 5
    case timeout = 6

    var summary: String {
        switch self {
        case .ok: return "not an error"
        case .error: return "model registry error"
        case .misuse: return "bad parameter or other API misuse"
        case .noMemory: return "out of memory"
        case .cantOpen: return "unable to open the registry"
        case .io: return "cannot reach the registry server"
        case .timeout: return "the registry server did not answer in time"
        }
    }
}

/// A failed C call: the code it returns and the message `mr_errmsg` then reports.
struct CABIError: Error {
    let code: ResultCode
    let message: String

    init(_ code: ResultCode, _ message: String) {
        self.code = code
        self.message = message
    }
}
