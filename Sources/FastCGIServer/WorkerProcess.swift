#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import API
import Logging

/// What a freshly forked worker inherits from the supervisor.
struct WorkerLaunch {
    let role: WorkerRole
    let listenFD: Int32
    /// The other roles' sockets, closed in the worker: it never accepts on them.
    let otherListenFDs: [Int32]
    let readyPipeWriteFD: Int32
    let readyPipeReadFD: Int32
    let supervisorEvents: ProcessEvents
    let supervisor: pid_t
    let maxBodyBytes: Int
    let makeHandler: (WorkerRole) throws -> any RequestHandler
    let logger: Logger
}

/// The life of a worker after fork: become independent of the supervisor's signal
/// handling, build the handler (its own SQLite connection), report ready, serve, exit.
enum WorkerProcess {
    /// Exit code when the handler cannot be built (EX_CONFIG from sysexits.h).
    static let handlerFailedExitCode: Int32 = 78

    static func run(_ launch: WorkerLaunch) -> Never {
        var logger = launch.logger
        logger[metadataKey: "pid"] = "\(getpid())"
        logger[metadataKey: "role"] = "\(launch.role)"

        // The fork happened with every signal blocked. Swap the supervisor's handlers for
        // ours before unblocking, so nothing is reported on the supervisor's pipe.
        launch.supervisorEvents.closeInForkedChild()
        closeDescriptor(launch.readyPipeReadFD)
        launch.otherListenFDs.forEach(closeDescriptor)
        setSignalDisposition(SIGINT, SIG_IGN) // a terminal Ctrl-C is the supervisor's to handle
        setSignalDisposition(SIGHUP, SIG_IGN)
        setSignalDisposition(SIGCHLD, SIG_DFL)
        setSignalDisposition(SIGPIPE, SIG_IGN)
        let stopSignals: SignalPipe
        do {
            stopSignals = try SignalPipe(signals: [SIGTERM])
        } catch {
            logger.error("cannot install the SIGTERM handler: \(error)")
            exit(1)
        }
        if !ParentDeathSignal.arm(SIGTERM, expectedParent: launch.supervisor) {
            exit(0)
        }
        SignalMask.unblockAll()

        let code = serve(launch, stopSignals: stopSignals, logger: logger)
        exit(code)
    }

    /// Runs until stopped; the handler (and its database connection) is released on return.
    private static func serve(_ launch: WorkerLaunch, stopSignals: SignalPipe, logger: Logger) -> Int32 {
        let handler: any RequestHandler
        do {
            handler = try launch.makeHandler(launch.role)
        } catch {
            logger.error("cannot create the request handler: \(error)")
            return handlerFailedExitCode
        }
        guard FastCGIConnection.initializeLibrary() else {
            logger.error("FCGX_Init failed")
            return 1
        }
        var groupCommit: GroupCommitQueue?
        if launch.role == .writer {
            groupCommit = GroupCommitQueue(logger: logger)
            guard groupCommit?.start() == true else {
                logger.error("cannot start the writer's syncing thread")
                return 1
            }
        }
        // Whatever ends the loop, the writes already committed are synced and answered.
        defer { groupCommit?.stop() }
        ReadinessPipe.reportReady(pid: getpid(), to: launch.readyPipeWriteFD)
        closeDescriptor(launch.readyPipeWriteFD)

        let worker = FastCGIWorker(
            listenFD: launch.listenFD,
            stopSignals: stopSignals,
            connection: FastCGIConnection(handler: handler, maxBodyBytes: launch.maxBodyBytes, logger: logger,
                                          groupCommit: groupCommit),
            supervisor: launch.supervisor,
            logger: logger
        )
        switch worker.run() {
        case .stopRequested:
            logger.debug("stopping on SIGTERM")
            return 0
        case .supervisorGone:
            logger.warning("the supervisor is gone; exiting")
            return 0
        case let .failed(error):
            logger.error("\(error)")
            return 1
        }
    }
}
