#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// The single-threaded accept loop of one worker process.
///
/// It waits with `poll` on the shared listening socket and on its SIGTERM pipe, so a stop
/// request is seen both while idle and right after an in-flight request, never in the
/// middle of one. The listening socket is non-blocking: every idle worker wakes for a new
/// connection and all but one get EAGAIN from `accept`.
struct FastCGIWorker {
    let listenFD: Int32
    let stopSignals: SignalPipe
    let connection: FastCGIConnection
    let supervisor: pid_t
    let logger: Logger

    enum Outcome {
        case stopRequested
        case supervisorGone
        case failed(SystemCallError)
    }

    func run() -> Outcome {
        var pollSet = [
            pollfd(fd: stopSignals.readFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            // The timeout only backs up the parent-death signal (and covers systems without it).
            let ready = poll(&pollSet, nfds_t(pollSet.count), 2_000)
            if ready < 0 {
                if errno == EINTR { continue }
                return .failed(SystemCallError("poll"))
            }
            if pollSet[0].revents != 0, stopSignals.receivedSignals().contains(SIGTERM) {
                return .stopRequested
            }
            if getppid() != supervisor {
                return .supervisorGone
            }
            guard pollSet[1].revents != 0 else { continue }
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, EPROTO:
                    continue // another worker took it, or the peer gave up
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    logger.error("\(SystemCallError("accept")); pausing briefly")
                    usleep(100_000)
                    continue
                default:
                    return .failed(SystemCallError("accept"))
                }
            }
            #if !os(Linux)
            // BSD accept() inherits O_NONBLOCK from the listening socket; libfcgi needs blocking I/O.
            try? FileDescriptorFlags.setNonBlocking(client, false)
            #endif
            connection.serve(connection: client)
        }
    }
}
