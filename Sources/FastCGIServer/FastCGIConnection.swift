#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import API
import CFastCGI
import Logging

/// Serves one FastCGI request per accepted connection through libfcgi: decodes the request,
/// calls the handler, encodes the response. The handler never sees libfcgi types.
///
/// The worker accepts connections itself (see `FastCGIWorker`) and hands each one to
/// `FCGX_Accept_r` as if it were a kept-alive connection: with `ipcFd` set and
/// `keepConnection` non-zero, `FCGX_Accept_r` skips its own accept and reads the request from
/// that descriptor (libfcgi 2.4's behaviour for connections it keeps). The listen descriptor
/// given to libfcgi is -1, so libfcgi never accepts or blocks on its own.
final class FastCGIConnection {
    private let handler: any RequestHandler
    private let maxBodyBytes: Int
    private let logger: Logger
    /// libfcgi keeps pointers to the request in its streams, so it lives at a fixed address.
    private let request: UnsafeMutablePointer<FCGX_Request>
    /// Reused for every response head.
    private var headBuffer: [UInt8] = []
    /// Reused by every read of a body without CONTENT_LENGTH (nginx sends an empty one with
    /// every GET): allocating and zeroing 16 KB per request was a tenth of a point read.
    private var chunk = [UInt8](repeating: 0, count: 16 * 1024)
    private var warnedAboutKeptConnection = false
    /// The writer worker's: answers writes after a shared sync (see `GroupCommitQueue`).
    private let groupCommit: GroupCommitQueue?

    init(handler: any RequestHandler, maxBodyBytes: Int, logger: Logger, groupCommit: GroupCommitQueue? = nil) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
        self.groupCommit = groupCommit
        request = .allocate(capacity: 1)
        FCGX_InitRequest(request, -1, 0)
        headBuffer.reserveCapacity(512)
    }

    deinit {
        request.deallocate()
    }

    /// libfcgi's per-process set-up; once per worker, before the first `serve`.
    static func initializeLibrary() -> Bool {
        FCGX_Init() == 0
    }

    /// Serves the request on `connection` and closes it.
    func serve(connection: Int32) {
        request.pointee.ipcFd = connection
        request.pointee.keepConnection = 1
        let accepted = FCGX_Accept_r(request)
        guard accepted >= 0 else {
            // libfcgi has already closed a connection it could not read a request from.
            logger.debug("dropped a connection without a readable FastCGI request (\(accepted))")
            request.pointee.ipcFd = -1
            return
        }
        let started = MonotonicClock.now()
        noteKeptConnection()
        let params = FastCGIParams(environment: request.pointee.envp, keeps: RequestMapping.uses(param:))
        var (response, inputConsumed) = respond(to: params)
        let owedSync = handler.takeOwedSync()
        if let owedSync {
            if inputConsumed, let groupCommit {
                handOver(response, after: owedSync, to: groupCommit)
                logRequest(params, response, started: started)
                return
            }
            do {
                try owedSync.syncCommits()
            } catch {
                logger.error("\(error)")
                response = Self.unsyncedWriteResponse
            }
        }
        write(response)
        owedSync?.afterAnswering()
        if inputConsumed {
            // libfcgi would shut the socket down and wait for nginx to close its end first (so
            // that unread input cannot reset the connection); with the input read to its end,
            // closing at once is safe and frees the worker for the next connection sooner.
            request.pointee.keepConnection = 1
            FCGX_Finish_r(request)
            closeReadConnection()
        } else {
            // A body we did not read (413): let libfcgi drain it before closing, so nginx
            // can finish sending it and read our answer instead of a reset connection.
            request.pointee.keepConnection = 0
            FCGX_Finish_r(request)
            request.pointee.ipcFd = -1
        }
        logRequest(params, response, started: started)
    }

    private func logRequest(_ params: FastCGIParams, _ response: Response, started: Double) {
        if logger.logLevel <= .debug {
            let milliseconds = (MonotonicClock.now() - started) * 1000
            // Method and path only: bodies, queries and headers (Authorization) stay out of logs.
            logger.debug("\(params["REQUEST_METHOD"] ?? "-") \(RequestMapping.path(from: params)) -> \(response.status) in \(String(format3: milliseconds)) ms")
        }
    }

    /// The answer to a write whose commit could not be synced to disk.
    static let unsyncedWriteResponse = TransportErrorResponse.make(
        status: 500, message: "the write was committed but could not be synced to disk; it may be lost if the machine fails")

    /// Gives the connection and its response to the group commit, which sends the response once
    /// `owedSync` has run after this request's commit. libfcgi lets go of the connection
    /// without writing to it or closing it.
    private func handOver(_ response: Response, after owedSync: any CommitSyncing, to groupCommit: GroupCommitQueue) {
        let requestID = UInt16(truncatingIfNeeded: request.pointee.requestId)
        let connection = request.pointee.ipcFd
        FCGX_Free(request, 0)
        request.pointee.ipcFd = -1
        groupCommit.submit(GroupCommitQueue.Answer(
            connection: connection,
            records: FastCGIResponseRecords.encode(response, requestID: requestID),
            requestID: requestID,
            sync: owedSync))
    }

    /// The response, and whether the request's input was read to its end.
    private func respond(to params: FastCGIParams) -> (Response, inputConsumed: Bool) {
        switch readBody(declaredLength: params["CONTENT_LENGTH"]) {
        case let .complete(body):
            return (handler.handle(RequestMapping.request(from: params, body: body)), inputEnded())
        case .tooLarge:
            return (TransportErrorResponse.make(status: 413, message: "request body is larger than the limit of \(maxBodyBytes) bytes"), false)
        case .invalidLength:
            return (TransportErrorResponse.make(status: 400, message: "invalid CONTENT_LENGTH"), false)
        case let .truncated(received, expected):
            return (TransportErrorResponse.make(status: 400, message: "request body ended after \(received) of \(expected) bytes"), inputEnded())
        }
    }

    /// True once FCGI_STDIN has ended: a body read to CONTENT_LENGTH may still have the empty
    /// record that ends the stream unread (usually already in libfcgi's buffer).
    private func inputEnded() -> Bool {
        var byte: CChar = 0
        return FCGX_GetStr(&byte, 1, request.pointee.in) == 0 && FCGX_GetError(request.pointee.in) == 0
    }

    private enum BodyResult {
        case complete([UInt8])
        case tooLarge
        case invalidLength
        case truncated(received: Int, expected: Int)
    }

    /// Reads the whole body. Over the limit we answer without reading it; libfcgi drains the
    /// rest of the input when it closes the connection.
    private func readBody(declaredLength: String?) -> BodyResult {
        guard let declaredLength, !declaredLength.isEmpty else {
            return readBodyUntilEnd()
        }
        guard let length = Int(declaredLength), length >= 0 else { return .invalidLength }
        guard length <= maxBodyBytes else { return .tooLarge }
        guard length > 0 else { return .complete([]) }
        var received = 0
        let body = [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            received = readInput(into: UnsafeMutableRawBufferPointer(buffer))
            initialized = received
        }
        return received == length ? .complete(body) : .truncated(received: received, expected: length)
    }

    /// Without CONTENT_LENGTH (nginx always sends one), read until end of input.
    private func readBodyUntilEnd() -> BodyResult {
        var body: [UInt8] = []
        while true {
            let count = chunk.withUnsafeMutableBytes { readInput(into: $0) }
            body.append(contentsOf: chunk[0..<count])
            if body.count > maxBodyBytes { return .tooLarge }
            if count < chunk.count { return .complete(body) }
        }
    }

    /// Fills `buffer` from FCGI_STDIN; returns how many bytes arrived before end of input.
    private func readInput(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: CChar.self) else { return 0 }
        var filled = 0
        while filled < buffer.count {
            let want = Int32(min(buffer.count - filled, Int(Int32.max)))
            let got = FCGX_GetStr(base + filled, want, request.pointee.in)
            if got <= 0 { break }
            filled += Int(got)
        }
        return filled
    }

    private func write(_ response: Response) {
        headBuffer.removeAll(keepingCapacity: true)
        ResponseHead.encode(response, into: &headBuffer)
        guard put(headBuffer) else { return }
        if ResponseHead.allowsBody(response.status) {
            _ = put(response.body)
        }
    }

    /// Writes to FCGI_STDOUT; false once the web server has gone away.
    private func put(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self) else { return true }
            var offset = 0
            while offset < raw.count {
                let count = Int32(min(raw.count - offset, 1 << 20))
                if FCGX_PutStr(base + offset, count, request.pointee.out) < 0 {
                    logger.debug("the web server closed the connection while the response was written")
                    return false
                }
                offset += Int(count)
            }
            return true
        }
    }

    /// With `fastcgi_keep_conn on`, nginx would keep the connection open for more requests. A
    /// single-threaded worker must not sit on an idle connection (see DESIGN.md), so every
    /// connection is closed after its request; nginx opens a new one for the next.
    private func noteKeptConnection() {
        guard request.pointee.keepConnection != 0, !warnedAboutKeptConnection else { return }
        logger.warning("the web server asked to keep FastCGI connections open (fastcgi_keep_conn); closing them after each request")
        warnedAboutKeptConnection = true
    }

    /// Closes a connection whose request was read to its end, after taking whatever nginx sent
    /// after it (unread bytes in a unix socket make the peer see a reset).
    private func closeReadConnection() {
        let fd = request.pointee.ipcFd
        guard fd >= 0 else { return }
        request.pointee.ipcFd = -1
        Self.closeTakingWhatIsLeft(fd)
    }

    /// Closes a connection after reading, without waiting, whatever nginx sent after the request.
    static func closeTakingWhatIsLeft(_ fd: Int32) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 512) { buffer in
            while recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT)) > 0 {}
        }
        closeDescriptor(fd)
    }
}

private extension String {
    /// A number with three decimals, without Foundation.
    init(format3 value: Double) {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        self = "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
