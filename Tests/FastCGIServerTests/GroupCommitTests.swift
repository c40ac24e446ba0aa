import API
@testable import FastCGIServer
import Logging
import XCTest

/// The writer worker's path: a write's response leaves only after the store's sync has run,
/// in the bytes libfcgi would have written, and the worker is free for the next request.
final class GroupCommitTests: XCTestCase {
    /// Records the order of events: "sync", "after", and what a test adds.
    private final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [String] = []
        func add(_ event: String) { lock.lock(); events.append(event); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return events }
    }

    private final class Syncer: CommitSyncing, @unchecked Sendable {
        let log: EventLog
        let fails: Bool
        init(log: EventLog, fails: Bool = false) { self.log = log; self.fails = fails }
        func syncCommits() throws {
            log.add("sync")
            if fails { throw NSError(domain: "disk", code: 5) }
        }
        func afterAnswering() { log.add("after") }
    }

    /// Answers 201 and owes a sync for every POST, nothing for other methods.
    private final class WritingHandler: RequestHandler {
        let syncer: Syncer
        private var owed = false
        init(syncer: Syncer) { self.syncer = syncer }
        func handle(_ request: Request) -> Response {
            owed = request.method == "POST"
            return Response(status: request.method == "POST" ? 201 : 200,
                            headers: [("Content-Type", Response.jsonContentType)], body: Array("{\"id\":\"1\"}".utf8))
        }
        func takeOwedSync() -> (any CommitSyncing)? {
            defer { owed = false }
            return owed ? syncer : nil
        }
    }

    override func setUp() {
        super.setUp()
        signal(SIGPIPE, SIG_IGN)
        XCTAssertTrue(FastCGIConnection.initializeLibrary())
    }

    private func request(_ method: String, body: String = "{}") -> [UInt8] {
        let bytes = Array(body.utf8)
        return FastCGIRecords.request(params: [
            ("REQUEST_METHOD", method), ("DOCUMENT_URI", "/api/model_registry/v1alpha3/registered_models"),
            ("REQUEST_URI", "/api/model_registry/v1alpha3/registered_models"), ("CONTENT_LENGTH", "\(bytes.count)"),
        ], body: bytes)
    }

    private func decode(_ bytes: [UInt8]) -> (head: String, body: String, ended: Bool) {
        let (stdout, ended) = FastCGIRecords.decodeResponse(bytes)
        let parts = String(decoding: stdout, as: UTF8.self).components(separatedBy: "\r\n\r\n")
        return (parts[0], parts.dropFirst().joined(separator: "\r\n\r\n"), ended)
    }

    func testAWriteIsAnsweredAfterItsSyncByTheQueue() {
        let log = EventLog()
        let handler = WritingHandler(syncer: Syncer(log: log))
        let queue = GroupCommitQueue(logger: Logger(label: "test"))
        XCTAssertTrue(queue.start())
        let connection = FastCGIConnection(handler: handler, maxBodyBytes: 1 << 20, logger: Logger(label: "test"), groupCommit: queue)

        let pairs = (0..<5).map { _ in SocketPair() }
        for pair in pairs {
            pair.sendRequest(request("POST"))
            connection.serve(connection: pair.server)
        }
        let answers = pairs.map { decode($0.readAll()) }
        queue.stop()

        for answer in answers {
            XCTAssertTrue(answer.ended)
            XCTAssertEqual(answer.head, "Status: 201 Created\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: 10")
            XCTAssertEqual(answer.body, "{\"id\":\"1\"}")
        }
        let events = log.all
        XCTAssertGreaterThanOrEqual(events.filter { $0 == "sync" }.count, 1)
        XCTAssertLessThanOrEqual(events.filter { $0 == "sync" }.count, 5, "at most one sync per write")
        XCTAssertEqual(events.first, "sync")
    }

    func testAReadOwesNothingAndIsAnsweredAtOnce() {
        let log = EventLog()
        let queue = GroupCommitQueue(logger: Logger(label: "test"))
        XCTAssertTrue(queue.start())
        defer { queue.stop() }
        let connection = FastCGIConnection(handler: WritingHandler(syncer: Syncer(log: log)), maxBodyBytes: 1 << 20,
                                           logger: Logger(label: "test"), groupCommit: queue)
        let pair = SocketPair()
        pair.sendRequest(request("GET", body: ""))
        connection.serve(connection: pair.server)
        let answer = decode(pair.readAll())
        XCTAssertTrue(answer.ended)
        XCTAssertTrue(answer.head.hasPrefix("Status: 200 OK"))
        XCTAssertEqual(log.all, [])
    }

    func testAFailedSyncTurnsTheAnswerIntoAServerError() {
        let log = EventLog()
        let queue = GroupCommitQueue(logger: Logger(label: "test"))
        XCTAssertTrue(queue.start())
        let connection = FastCGIConnection(handler: WritingHandler(syncer: Syncer(log: log, fails: true)), maxBodyBytes: 1 << 20,
                                           logger: Logger(label: "test"), groupCommit: queue)
        let pair = SocketPair()
        pair.sendRequest(request("POST"))
        connection.serve(connection: pair.server)
        let answer = decode(pair.readAll())
        queue.stop()
        XCTAssertTrue(answer.ended)
        XCTAssertTrue(answer.head.hasPrefix("Status: 500 Internal Server Error"), answer.head)
        XCTAssertTrue(answer.body.contains("could not be synced to disk"), answer.body)
        XCTAssertEqual(log.all, ["sync"], "no housekeeping after a failed sync")
    }

    func testWithoutAQueueTheWorkerSyncsBeforeAnswering() {
        let log = EventLog()
        let connection = FastCGIConnection(handler: WritingHandler(syncer: Syncer(log: log)), maxBodyBytes: 1 << 20,
                                           logger: Logger(label: "test"))
        let pair = SocketPair()
        pair.sendRequest(request("POST"))
        connection.serve(connection: pair.server)
        XCTAssertEqual(log.all, ["sync", "after"])
        XCTAssertTrue(decode(pair.readAll()).head.hasPrefix("Status: 201 Created"))
    }

    func testStoppingTheQueueAnswersWhatIsWaiting() {
        let log = EventLog()
        let queue = GroupCommitQueue(logger: Logger(label: "test"))
        XCTAssertTrue(queue.start())
        let connection = FastCGIConnection(handler: WritingHandler(syncer: Syncer(log: log)), maxBodyBytes: 1 << 20,
                                           logger: Logger(label: "test"), groupCommit: queue)
        let pair = SocketPair()
        pair.sendRequest(request("POST"))
        connection.serve(connection: pair.server)
        queue.stop()
        XCTAssertTrue(decode(pair.readAll()).ended)
        XCTAssertEqual(log.all, ["sync", "after"])
    }

    func testLargeBodiesAreSplitIntoRecordsOfAtMost64KiB() {
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
        let records = FastCGIResponseRecords.encode(
            Response(status: 200, headers: [("Content-Type", "text/plain")], body: body), requestID: 0x1234)
        var offset = 0
        var stdoutRecords = 0
        while offset < records.count {
            XCTAssertEqual(records[offset], 1, "version")
            XCTAssertEqual(Int(records[offset + 2]) << 8 | Int(records[offset + 3]), 0x1234, "request id")
            let length = Int(records[offset + 4]) << 8 | Int(records[offset + 5])
            if records[offset + 1] == 6 { stdoutRecords += 1 }
            offset += 8 + length + Int(records[offset + 6])
        }
        XCTAssertEqual(offset, records.count)
        XCTAssertEqual(stdoutRecords, 1 + 4 + 1, "head, the body in 4 records, the empty end of stream")
        let (stdout, ended) = FastCGIRecords.decodeResponse(records)
        XCTAssertTrue(ended)
        XCTAssertEqual(Array(stdout.suffix(body.count)), body)
    }
}
