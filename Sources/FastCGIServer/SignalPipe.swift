#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The write end the installed handlers report to. A signal handler cannot capture context,
/// so this is the one piece of global state: one `SignalPipe` is active per process.
nonisolated(unsafe) private var activeSignalPipeWriteFD: Int32 = -1
/// Set by the handlers before they write to the pipe: lets a busy loop see that a signal may
/// be waiting with one load instead of a system call (`SignalPipe.mayHaveSignals`).
nonisolated(unsafe) private var signalArrived: sig_atomic_t = 0

/// Turns signals into bytes on a pipe (the self-pipe trick), so a single-threaded `poll`
/// loop can wait for signals together with sockets and pipes, without racing them.
///
/// Handlers use SA_RESTART: a signal arriving while a request is being handled must not make
/// that request's reads or writes fail with EINTR; the loop looks at the pipe between requests.
public final class SignalPipe {
    public let readFD: Int32
    private let writeFD: Int32
    private let signals: [Int32]

    public init(signals: [Int32]) throws {
        let ends = try FileDescriptorFlags.makePipe(nonBlockingRead: true, nonBlockingWrite: true)
        readFD = ends.read
        writeFD = ends.write
        self.signals = signals
        // Set before any handler can run; this also initialises the global up front.
        activeSignalPipeWriteFD = writeFD
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                let savedErrno = errno
                signalArrived = 1
                var byte = UInt8(truncatingIfNeeded: signal)
                _ = write(activeSignalPipeWriteFD, &byte, 1)
                errno = savedErrno
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART | (signal == SIGCHLD ? SA_NOCLDSTOP : 0)
            guard sigaction(signal, &action, nil) == 0 else { throw SystemCallError("sigaction(\(signal))") }
        }
    }

    /// True when a signal has arrived since the last `receivedSignals()`; no system call.
    public var mayHaveSignals: Bool { signalArrived != 0 }

    /// The signals received since the last call, oldest first; never blocks.
    public func receivedSignals() -> [Int32] {
        // Cleared before draining: a signal arriving meanwhile sets it again and stays in the pipe.
        signalArrived = 0
        var received: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(readFD, &buffer, buffer.count)
            if count > 0 {
                received.append(contentsOf: buffer[0..<count].map { Int32($0) })
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return received
            }
        }
    }

    /// Restores default handlers and closes the pipe.
    public func close() {
        for signal in signals { setSignalDisposition(signal, SIG_DFL) }
        if activeSignalPipeWriteFD == writeFD { activeSignalPipeWriteFD = -1 }
        closeDescriptors()
    }

    /// Closes the pipe without touching handlers: for a forked child that installs its own.
    func closeDescriptors() {
        closeDescriptor(readFD)
        closeDescriptor(writeFD)
    }
}

/// The process signal mask, for forking: the parent blocks every signal around `fork` so
/// nothing runs the parent's handlers in the child before the child has installed its own
/// (which it does before unblocking).
enum SignalMask {
    static func blockAll() -> sigset_t {
        var all = sigset_t()
        var previous = sigset_t()
        sigfillset(&all)
        sigprocmask(SIG_SETMASK, &all, &previous)
        return previous
    }

    static func restore(_ mask: sigset_t) {
        var mask = mask
        sigprocmask(SIG_SETMASK, &mask, nil)
    }

    static func unblockAll() {
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
    }
}
