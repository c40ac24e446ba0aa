#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The C entry points declared in include/modelregistry.h. They translate between C and
// Swift only; every rule lives in the types they call.

private let versionString = CStrings.permanent(libraryVersion)
private let resultSummaries: [Int32: UnsafePointer<CChar>] = Dictionary(uniqueKeysWithValues:
    (0...6).compactMap(ResultCode.init(rawValue:)).map { ($0.rawValue, CStrings.permanent($0.summary)) })
private let unknownCodeSummary = CStrings.permanent("unknown result code")

@_cdecl("mr_version")
public func mr_version() -> UnsafePointer<CChar> {
    versionString
}

@_cdecl("mr_errstr")
public func mr_errstr(_ code: Int32) -> UnsafePointer<CChar> {
    resultSummaries[code] ?? unknownCodeSummary
}

@_cdecl("mr_open")
public func mr_open(_ uri: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                    _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guard let out else { return ResultCode.misuse.rawValue }
    let handle: Handle
    if let uri {
        handle = Handle.open(uri: String(cString: uri), optionsJSON: optionsJSON.map { String(cString: $0) })
    } else {
        handle = Handle(failure: CABIError(.misuse, "mr_open: the URI is NULL"))
    }
    out.pointee = LiveHandles.insert(handle)
    return (handle.failedOpenCode ?? .ok).rawValue
}

@_cdecl("mr_request")
public func mr_request(_ pointer: OpaquePointer?, _ method: UnsafePointer<CChar>?, _ path: UnsafePointer<CChar>?,
                       _ query: UnsafePointer<CChar>?, _ body: UnsafePointer<UInt8>?, _ bodyLength: Int,
                       _ statusOut: UnsafeMutablePointer<Int32>?,
                       _ bodyOut: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
                       _ bodyLengthOut: UnsafeMutablePointer<Int>?) -> Int32 {
    answer(pointer, statusOut, bodyOut, bodyLengthOut) { handle in
        let request = try RequestArguments.validate(method: method, path: path, query: query,
                                                    body: body, bodyLength: bodyLength)
        return try handle.send(request)
    }
}

@_cdecl("mr_register_model")
public func mr_register_model(_ pointer: OpaquePointer?, _ body: UnsafePointer<UInt8>?, _ bodyLength: Int,
                              _ statusOut: UnsafeMutablePointer<Int32>?,
                              _ bodyOut: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
                              _ bodyLengthOut: UnsafeMutablePointer<Int>?) -> Int32 {
    answer(pointer, statusOut, bodyOut, bodyLengthOut) { handle in
        guard let body, bodyLength > 0 else { throw CABIError(.misuse, "mr_register_model: the body is empty") }
        return try handle.registerModel(Array(UnsafeBufferPointer(start: body, count: bodyLength)))
    }
}

/// The calling convention both request functions share: outputs cleared first, the response
/// body copied into malloc'd memory, failures reported through the result code and mr_errmsg.
private func answer(_ pointer: OpaquePointer?, _ statusOut: UnsafeMutablePointer<Int32>?,
                    _ bodyOut: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
                    _ bodyLengthOut: UnsafeMutablePointer<Int>?,
                    _ perform: (Handle) throws -> IncomingResponse) -> Int32 {
    statusOut?.pointee = 0
    bodyOut?.pointee = nil
    bodyLengthOut?.pointee = 0
    guard let handle = LiveHandles.lookup(pointer) else { return ResultCode.misuse.rawValue }
    do {
        guard let statusOut else { throw CABIError(.misuse, "status_out is NULL") }
        let response = try perform(handle)
        if let bodyOut {
            guard let copy = ResponseBuffer.copy(response.body) else {
                throw CABIError(.noMemory, "cannot allocate \(response.body.count + 1) bytes for the response body")
            }
            bodyOut.pointee = copy
        }
        statusOut.pointee = Int32(clamping: response.status)
        bodyLengthOut?.pointee = response.body.count
        handle.messages.clear()
        return ResultCode.ok.rawValue
    } catch let error as CABIError {
        handle.messages.set(error.message)
        return error.code.rawValue
    } catch {
        handle.messages.set("\(error)")
        return ResultCode.error.rawValue
    }
}

@_cdecl("mr_errmsg")
public func mr_errmsg(_ pointer: OpaquePointer?) -> UnsafePointer<CChar> {
    guard let pointer else { return mr_errstr(ResultCode.noMemory.rawValue) }
    guard let handle = LiveHandles.lookup(pointer) else { return mr_errstr(ResultCode.misuse.rawValue) }
    return handle.messages.current() ?? mr_errstr(ResultCode.ok.rawValue)
}

@_cdecl("mr_free")
public func mr_free(_ pointer: UnsafeMutableRawPointer?) {
    free(pointer)
}

@_cdecl("mr_close")
public func mr_close(_ pointer: OpaquePointer?) -> Int32 {
    guard let pointer else { return ResultCode.ok.rawValue }
    return LiveHandles.remove(pointer) == nil ? ResultCode.misuse.rawValue : ResultCode.ok.rawValue
}
