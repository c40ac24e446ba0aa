@testable import FastCGIServer
import XCTest

final class RestartThrottleTests: XCTestCase {
    func testPausesAfterTooManyDeathsInTheWindow() {
        var throttle = RestartThrottle(limit: 5, window: 10, pause: 10)
        for second in 0..<5 {
            XCTAssertFalse(throttle.recordDeath(at: Double(second)))
        }
        XCTAssertTrue(throttle.recordDeath(at: 5))
        XCTAssertFalse(throttle.mayRestart(at: 14.9))
        XCTAssertTrue(throttle.mayRestart(at: 15))
    }

    func testDeathsOutsideTheWindowDoNotCount() {
        var throttle = RestartThrottle(limit: 5, window: 10, pause: 10)
        for second in stride(from: 0.0, to: 60, by: 3) {
            XCTAssertFalse(throttle.recordDeath(at: second))
        }
        XCTAssertTrue(throttle.mayRestart(at: 60))
    }

    func testOnlyStartFailuresAndSelfExitsCountAsACrashLoop() {
        XCTAssertTrue(RestartThrottle.indicatesCrashLoop(wasReady: false, status: .exited(78)))
        XCTAssertTrue(RestartThrottle.indicatesCrashLoop(wasReady: false, status: .signaled(SIGSEGV)))
        XCTAssertTrue(RestartThrottle.indicatesCrashLoop(wasReady: true, status: .exited(1)))
        XCTAssertFalse(RestartThrottle.indicatesCrashLoop(wasReady: true, status: .signaled(SIGKILL)))
        XCTAssertFalse(RestartThrottle.indicatesCrashLoop(wasReady: false, status: .signaled(SIGKILL)))
        XCTAssertFalse(RestartThrottle.indicatesCrashLoop(wasReady: true, status: .signaled(SIGILL)))
    }
}

final class ExitStatusTests: XCTestCase {
    func testDecodesWaitStatuses() {
        XCTAssertEqual(ExitStatus(waitStatus: 0), .exited(0))
        XCTAssertEqual(ExitStatus(waitStatus: 3 << 8), .exited(3))
        XCTAssertEqual(ExitStatus(waitStatus: SIGKILL), .signaled(SIGKILL))
        XCTAssertEqual(ExitStatus(waitStatus: SIGSEGV | 0x80), .signaled(SIGSEGV)) // core dumped
        XCTAssertTrue(ExitStatus.exited(0).isSuccess)
        XCTAssertEqual(ExitStatus.exited(1).description, "exit status 1")
    }
}

final class UnixListeningSocketTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fcgi-socket-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testOpensAWorldConnectableSocketWhoseAcceptTimesOutAndRemovesItOnClose() throws {
        let path = directory + "/a.sock"
        let socket = try UnixListeningSocket.open(path: path, backlog: 8)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o666)
        XCTAssertEqual(fcntl(socket.fd, F_GETFL) & O_NONBLOCK, 0, "workers block in accept")
        let started = Date()
        XCTAssertEqual(accept(socket.fd, nil, nil), -1) // nobody waiting: EAGAIN after the timeout, not a hang
        XCTAssertTrue(errno == EAGAIN || errno == EWOULDBLOCK)
        XCTAssertLessThan(Date().timeIntervalSince(started), Double(UnixListeningSocket.acceptTimeoutSeconds) + 1)
        socket.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    /// The worker's stop signal must reach a worker waiting in accept although its handler
    /// uses SA_RESTART: with a receive timeout on the socket Linux does not restart accept.
    func testASignalInterruptsAWaitingAcceptDespiteSARestart() throws {
        let path = directory + "/s.sock"
        let socket = try UnixListeningSocket.open(path: path, backlog: 8)
        defer { socket.close() }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        var previous = sigaction()
        XCTAssertEqual(sigaction(SIGUSR1, &action, &previous), 0)
        defer { sigaction(SIGUSR1, &previous, nil) }
        let waiter = pthread_self()
        Thread.detachNewThread {
            usleep(100_000)
            pthread_kill(waiter, SIGUSR1)
        }
        let started = Date()
        XCTAssertEqual(accept(socket.fd, nil, nil), -1)
        XCTAssertEqual(errno, EINTR)
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.6, "interrupted, not timed out")
    }

    func testReplacesAStaleSocketButNotALiveOne() throws {
        let path = directory + "/b.sock"
        let first = try UnixListeningSocket.open(path: path, backlog: 8)
        XCTAssertThrowsError(try UnixListeningSocket.open(path: path, backlog: 8)) { error in
            guard case .socketInUse = error as? FastCGIServerError else { return XCTFail("\(error)") }
        }
        closeDescriptor(first.fd) // crash-like: the file stays behind, nobody listens
        let second = try UnixListeningSocket.open(path: path, backlog: 8)
        second.close()
    }

    func testRefusesToReplaceARegularFile() throws {
        let path = directory + "/c.sock"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("keep".utf8)))
        XCTAssertThrowsError(try UnixListeningSocket.open(path: path, backlog: 8)) { error in
            guard case .notASocket = error as? FastCGIServerError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data("keep".utf8))
    }

    func testRejectsPathsTooLongForSockaddr() {
        let path = directory + "/" + String(repeating: "s", count: 120)
        XCTAssertThrowsError(try UnixListeningSocket.open(path: path, backlog: 8)) { error in
            guard case .socketPathTooLong = error as? FastCGIServerError else { return XCTFail("\(error)") }
        }
    }
}
