#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// The single-threaded accept loop of one worker process.
///
/// It blocks in `accept` on the shared listening socket, so under load a worker goes from one
/// request straight to the next connection with one system call, and an idle pool has one
/// worker woken per connection (a `poll` on the socket would wake all of them, and cost two
/// more calls per request). Stop requests are seen between requests, never in the middle of
/// one: the SIGTERM handler sets a flag the loop reads after every request, and interrupts
/// a waiting `accept` (see `UnixListeningSocket`).
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
        while true {
            if stopSignals.mayHaveSignals, stopSignals.receivedSignals().contains(SIGTERM) {
                return .stopRequested
            }
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK:
                    // The accept timeout: idle for a while. The parent-death signal normally
                    // reports a vanished supervisor; this covers systems without one.
                    if getppid() != supervisor { return .supervisorGone }
                    continue
                case EINTR, ECONNABORTED, EPROTO:
                    continue // a signal (looked at above), or the peer gave up
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    logger.error("\(SystemCallError("accept")); pausing briefly")
                    usleep(100_000)
                    continue
                default:
                    return .failed(SystemCallError("accept"))
                }
            }
            connection.serve(connection: client)
        }
    }
}
