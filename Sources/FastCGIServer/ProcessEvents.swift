#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Something a supervisor loop reacts to.
public enum ProcessEvent: Equatable, Sendable {
    case signal(Int32)
    case childExited(pid: pid_t, status: ExitStatus)
    case readable(fd: Int32)
}

/// One wait for signals, child exits and readable descriptors, for single-threaded
/// supervisors: it owns the process's `SignalPipe` (SIGCHLD included) and reaps children.
public final class ProcessEvents {
    private let signalPipe: SignalPipe
    private var queued: [ProcessEvent] = []

    public init(signals: [Int32]) throws {
        setSignalDisposition(SIGPIPE, SIG_IGN)
        signalPipe = try SignalPipe(signals: Array(Set(signals + [SIGCHLD])))
    }

    /// For a forked worker, which installs its own handlers and pipe: drop the inherited pipe.
    func closeInForkedChild() {
        signalPipe.closeDescriptors()
    }

    /// The next event, waiting at most `timeout` seconds (nil: no limit); nil on timeout.
    public func next(timeout: Double?, watching descriptors: [Int32] = []) -> ProcessEvent? {
        if !queued.isEmpty { return queued.removeFirst() }
        let deadline = timeout.map { MonotonicClock.now() + max(0, $0) }
        var pollSet = ([signalPipe.readFD] + descriptors).map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while queued.isEmpty {
            let remaining = deadline.map { max(0, $0 - MonotonicClock.now()) }
            let milliseconds = remaining.map { Int32(min($0 * 1000, Double(Int32.max)).rounded(.up)) } ?? -1
            let ready = poll(&pollSet, nfds_t(pollSet.count), milliseconds)
            if ready < 0 && errno != EINTR { fatalError("\(SystemCallError("poll"))") }
            if ready > 0 {
                collectSignals()
                for entry in pollSet.dropFirst() where entry.revents != 0 {
                    queued.append(.readable(fd: entry.fd))
                }
            }
            if queued.isEmpty, let remaining, remaining <= 0 { return nil }
        }
        return queued.removeFirst()
    }

    /// Stops listening for signals (restoring default handlers).
    public func close() {
        signalPipe.close()
    }

    private func collectSignals() {
        for signal in signalPipe.receivedSignals() {
            if signal == SIGCHLD {
                reapChildren()
            } else {
                queued.append(.signal(signal))
            }
        }
    }

    private func reapChildren() {
        var status: Int32 = 0
        while true {
            let pid = waitpid(-1, &status, WNOHANG)
            if pid > 0 {
                queued.append(.childExited(pid: pid, status: ExitStatus(waitStatus: status)))
            } else if pid < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
