/// What an `mr_handle *` points at: a transport, or the reason `mr_open` failed (kept so
/// `mr_errmsg` can report it, as SQLite does for a failed open).
final class Handle {
    private let transport: Transport?
    private let openFailure: CABIError?
    let messages = ThreadMessages()

    init(transport: Transport) {
        self.transport = transport
        openFailure = nil
    }

    init(failure: CABIError) {
        transport = nil
        openFailure = failure
        messages.set(failure.message)
    }

    func send(_ request: OutgoingRequest) throws -> IncomingResponse {
        guard let transport else {
            throw CABIError(.misuse, "the handle did not open: \(openFailure?.message ?? "unknown error")")
        }
        return try transport.send(request)
    }

    func registerModel(_ body: [UInt8]) throws -> IncomingResponse {
        guard let transport else {
            throw CABIError(.misuse, "the handle did not open: \(openFailure?.message ?? "unknown error")")
        }
        return try transport.registerModel(body)
    }

    static func open(uri: String, optionsJSON: String?) -> Handle {
        do {
            let options = try OpenOptions.parse(optionsJSON)
            switch try RegistryLocation.parse(uri) {
            case .remote(let baseURL):
                return Handle(transport: try RemoteTransport(baseURL: baseURL, options: options))
            case .embedded(let path):
                return Handle(transport: try EmbeddedTransport(databasePath: path, maxPageSize: options.maxPageSize,
                                                                    cachesResponses: options.responseCache))
            }
        } catch let error as CABIError {
            return Handle(failure: error)
        } catch {
            return Handle(failure: CABIError(.error, "\(error)"))
        }
    }

    var failedOpenCode: ResultCode? { openFailure?.code }
}
