import FastCGIServer
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `up` starts.
struct UpPlan {
    struct Program {
        let name: String
        let executable: String
        let arguments: [String]
    }

    let host: String
    let port: Int
    let socketPath: String
    let drainTimeout: Double
    let pool: Program
    let nginx: Program
    var startupTimeout: Double = 30
}

/// Runs the worker pool and nginx as child processes and stops them in order: nginx first
/// (SIGQUIT: it finishes the requests it holds, which still need the workers), then the pool
/// (SIGTERM: drain). Either child dying unexpectedly stops the other; the result is then 1.
final class UpSupervisor {
    private let plan: UpPlan
    private let logger: Logger
    private var running: [pid_t: ChildProcess] = [:]
    private var nginx: ChildProcess?
    private var pool: ChildProcess?

    private enum Stop: Error {
        case requested
        case failed(String)
    }

    init(plan: UpPlan, logger: Logger) {
        self.plan = plan
        var logger = logger
        logger[metadataKey: "pid"] = "\(getpid())"
        logger[metadataKey: "role"] = "up"
        self.logger = logger
    }

    /// Returns the exit status for the command: 0 after a requested stop.
    func run() throws -> Int32 {
        let events = try ProcessEvents(signals: [SIGINT, SIGTERM, SIGHUP])
        defer { events.close() }
        do {
            pool = try start(plan.pool)
            try waitUntil("the worker pool to listen on \(plan.socketPath)", events: events) {
                ReadinessProbe.unixSocketAccepts(plan.socketPath)
            }
            nginx = try start(plan.nginx)
            try waitUntil("nginx to answer on http://\(plan.host):\(plan.port)", events: events) {
                // 502 and 504 come from nginx itself; anything else is a worker's answer.
                ReadinessProbe.status(host: plan.host, port: plan.port).map { $0 != 502 && $0 != 504 } ?? false
            }
            logger.info("listening on http://\(displayHost):\(plan.port)")
            while true {
                if let event = events.next(timeout: nil) { try handle(event) }
            }
        } catch Stop.requested {
            logger.info("stopping")
            shutDown(events)
            return 0
        } catch let Stop.failed(reason) {
            logger.error("\(reason); stopping")
            shutDown(events)
            return 1
        } catch {
            logger.error("\(error); stopping")
            shutDown(events)
            return 1
        }
    }

    private var displayHost: String {
        plan.host.contains(":") ? "[\(plan.host)]" : plan.host
    }

    private func start(_ program: UpPlan.Program) throws -> ChildProcess {
        let child = try ChildProcess.launch(name: program.name, executable: program.executable, arguments: program.arguments)
        running[child.pid] = child
        logger.debug("started \(program.name) as pid \(child.pid)")
        return child
    }

    private func handle(_ event: ProcessEvent) throws {
        switch event {
        case .signal(SIGINT), .signal(SIGTERM):
            throw Stop.requested
        case .signal(SIGHUP):
            logger.info("SIGHUP: restarting the workers one at a time")
            pool?.send(SIGHUP)
        case let .childExited(pid, status):
            guard let child = reaped(pid) else { return }
            throw Stop.failed("\(child.name) (pid \(pid)) exited unexpectedly with \(status)")
        case .signal, .readable:
            break
        }
    }

    /// Forgets an exited child. nginx's workers survive a killed master and keep the port,
    /// so whatever is left of nginx's process group goes with it.
    private func reaped(_ pid: pid_t) -> ChildProcess? {
        guard let child = running.removeValue(forKey: pid) else { return nil }
        if child.pid == nginx?.pid { child.sendToProcessGroup(SIGKILL) }
        return child
    }

    private func waitUntil(_ what: String, events: ProcessEvents, _ isDone: () -> Bool) throws {
        let deadline = MonotonicDeadline(seconds: plan.startupTimeout)
        while !isDone() {
            if deadline.hasPassed { throw Stop.failed("timed out after \(Int(plan.startupTimeout)) s waiting for \(what)") }
            if let event = events.next(timeout: 0.05) { try handle(event) }
        }
    }

    // MARK: Stopping

    private func shutDown(_ events: ProcessEvents) {
        if let nginx, running[nginx.pid] != nil {
            nginx.send(SIGQUIT)
            waitForExit(of: nginx, within: plan.drainTimeout, events: events)
        }
        if let pool, running[pool.pid] != nil {
            pool.send(SIGTERM)
            // The pool kills its own stragglers after the drain timeout; allow for that.
            waitForExit(of: pool, within: plan.drainTimeout + 5, events: events)
        }
    }

    /// Waits for `child`; kills it after `seconds`, or at once on a second stop signal.
    private func waitForExit(of child: ChildProcess, within seconds: Double, events: ProcessEvents) {
        let deadline = MonotonicDeadline(seconds: seconds)
        var killed = false
        while running[child.pid] != nil {
            let event = events.next(timeout: killed ? nil : deadline.remaining)
            switch event {
            case let .childExited(pid, status):
                if let exited = reaped(pid) {
                    logger.log(level: status.isSuccess ? .debug : .warning, "\(exited.name) exited with \(status)")
                }
            case .signal(SIGINT), .signal(SIGTERM):
                logger.warning("second stop signal: killing \(child.name)")
                child.send(SIGKILL)
                killed = true
            case nil:
                logger.warning("\(child.name) did not stop within \(Int(seconds)) s; killing it")
                child.send(SIGKILL)
                killed = true
            default:
                break
            }
        }
    }
}

/// A point a fixed number of seconds from now.
struct MonotonicDeadline {
    private let end: Double

    init(seconds: Double) {
        end = MonotonicClock.now() + seconds
    }

    var remaining: Double { max(0, end - MonotonicClock.now()) }
    var hasPassed: Bool { remaining <= 0 }
}
