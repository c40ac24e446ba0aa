#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import API
import Logging

/// The supervisor's event loop and bookkeeping for one `WorkerPool.run()`.
final class PoolSupervisor {
    private struct Worker {
        let pid: pid_t
        let role: WorkerRole
        /// Bumped by SIGHUP: workers of an older generation are replaced.
        let generation: Int
        var ready = false
        /// Set when the supervisor has asked this worker to stop: its exit is expected.
        var stopDeadline: Double?
    }

    private let configuration: WorkerPoolConfiguration
    private let logger: Logger
    private let events: ProcessEvents
    private var readiness: ReadinessPipe
    /// The listening socket of each role the pool runs.
    private let listenFDs: [WorkerRole: Int32]
    private let makeHandler: (WorkerRole) throws -> any RequestHandler

    private var workers: [pid_t: Worker] = [:]
    private var generation = 0
    private var throttle: RestartThrottle
    private var drainDeadline: Double?
    private var killedStragglers = false
    private var anyWorkerReady = false
    private var failedStarts = 0
    private var startupFailure: FastCGIServerError?
    private var resumedAfterPause = true

    init(
        configuration: WorkerPoolConfiguration,
        logger: Logger,
        events: ProcessEvents,
        readiness: ReadinessPipe,
        listenFDs: [WorkerRole: Int32],
        makeHandler: @escaping (WorkerRole) throws -> any RequestHandler
    ) {
        self.configuration = configuration
        self.logger = logger
        self.events = events
        self.readiness = readiness
        self.listenFDs = listenFDs
        self.makeHandler = makeHandler
        throttle = RestartThrottle(
            limit: configuration.restartBurstLimit,
            window: configuration.restartBurstWindow,
            pause: configuration.restartPause
        )
    }

    func run() throws {
        reconcile()
        while !(drainDeadline != nil && workers.isEmpty) {
            switch events.next(timeout: nextTimeout(), watching: [readiness.readFD]) {
            case nil:
                enforceDeadlines()
            case .signal(SIGTERM), .signal(SIGINT):
                if drainDeadline == nil {
                    beginDrain("received a stop signal")
                } else {
                    logger.warning("second stop signal; killing the remaining workers")
                    killStragglers()
                }
            case .signal(SIGHUP):
                beginRollingRestart()
            case .signal:
                break
            case let .childExited(pid, status):
                workerExited(pid: pid, status: status)
            case .readable:
                for pid in readiness.readyPids() { workerReady(pid) }
            }
            reconcile()
        }
        if let startupFailure { throw startupFailure }
    }

    // MARK: Keeping the pool at size

    /// How many workers of `role` the pool keeps.
    private func target(_ role: WorkerRole) -> Int {
        guard listenFDs[role] != nil else { return 0 }
        return role == .writer ? 1 : configuration.workerCount
    }

    /// Replaces missing workers, then advances a rolling restart by one step: start one
    /// new worker; once it is ready, stop one old worker of its role; once that one is gone,
    /// repeat.
    private func reconcile() {
        guard drainDeadline == nil, throttle.mayRestart(at: MonotonicClock.now()) else { return }
        var active = workers.values.filter { $0.stopDeadline == nil }
        for role in [WorkerRole.general, .writer] {
            while active.count(where: { $0.role == role }) < target(role) {
                guard let worker = spawnWorker(role) else { return }
                active.append(worker)
            }
        }
        let outdated = active.filter { $0.generation < generation }
        let settled = workers.values.allSatisfy { $0.ready && $0.stopDeadline == nil }
        guard settled, let oldest = outdated.min(by: { $0.generation < $1.generation || ($0.generation == $1.generation && $0.pid < $1.pid) }) else { return }
        if active.count(where: { $0.role == oldest.role }) <= target(oldest.role) {
            _ = spawnWorker(oldest.role)
        } else {
            logger.info("rolling restart: replacing \(oldest.role) \(oldest.pid), \(outdated.count - 1) to go")
            stop(oldest.pid)
        }
    }

    private func spawnWorker(_ role: WorkerRole) -> Worker? {
        guard let listenFD = listenFDs[role] else { return nil }
        let launch = WorkerLaunch(
            role: role,
            listenFD: listenFD,
            otherListenFDs: listenFDs.filter { $0.key != role }.map(\.value),
            readyPipeWriteFD: readiness.writeFD,
            readyPipeReadFD: readiness.readFD,
            supervisorEvents: events,
            supervisor: getpid(),
            maxBodyBytes: configuration.maxBodyBytes,
            makeHandler: makeHandler,
            logger: logger
        )
        ParentDeathSignal.prepare()
        fflush(nil) // or buffered output would be written twice, once by the child
        let parentMask = SignalMask.blockAll()
        let pid = fork()
        if pid == 0 { WorkerProcess.run(launch) }
        let forkError = errno
        SignalMask.restore(parentMask)
        guard pid > 0 else {
            logger.error("cannot start a worker: \(SystemCallError("fork", code: forkError))")
            _ = throttle.recordDeath(at: MonotonicClock.now())
            return nil
        }
        let worker = Worker(pid: pid, role: role, generation: generation)
        workers[pid] = worker
        logger.debug("started \(role) \(pid)")
        if throttle.pausedUntil > 0 && !resumedAfterPause {
            logger.info("restarting workers again after the pause")
            resumedAfterPause = true
        }
        return worker
    }

    private func workerReady(_ pid: pid_t) {
        guard workers[pid] != nil else { return }
        workers[pid]?.ready = true
        anyWorkerReady = true
        logger.debug("worker \(pid) is ready")
    }

    private func workerExited(pid: pid_t, status: ExitStatus) {
        guard let worker = workers.removeValue(forKey: pid) else { return }
        if worker.stopDeadline != nil || drainDeadline != nil {
            logger.debug("\(worker.role) \(pid) stopped (\(status))")
            if drainDeadline == nil, !workers.values.contains(where: { $0.generation < generation }) {
                logger.info("rolling restart complete")
            }
            return
        }
        logger.error("\(worker.role) \(pid) died unexpectedly (\(status))")
        let now = MonotonicClock.now()
        if RestartThrottle.indicatesCrashLoop(wasReady: worker.ready, status: status), throttle.recordDeath(at: now) {
            resumedAfterPause = false
            logger.warning("workers keep dying: more than \(throttle.limit) in \(Int(throttle.window)) s; pausing restarts for \(Int(throttle.pause)) s")
        }
        if !worker.ready {
            failedStarts += 1
            if !anyWorkerReady && failedStarts >= configuration.restartBurstLimit {
                startupFailure = .workersFailedToStart(attempts: failedStarts)
                beginDrain("no worker could start")
            }
        }
    }

    // MARK: Stopping

    private func beginRollingRestart() {
        guard drainDeadline == nil else { return }
        generation += 1
        logger.info("SIGHUP: replacing \(describeWorkers(workers.values.filter { $0.stopDeadline == nil }.count)) one at a time")
    }

    private func beginDrain(_ reason: String) {
        drainDeadline = MonotonicClock.now() + configuration.drainTimeout
        logger.info("\(reason): draining \(describeWorkers(workers.count)) (up to \(Int(configuration.drainTimeout)) s)")
        for pid in workers.keys where workers[pid]?.stopDeadline == nil { stop(pid) }
    }

    private func stop(_ pid: pid_t) {
        workers[pid]?.stopDeadline = MonotonicClock.now() + configuration.drainTimeout
        _ = kill(pid, SIGTERM)
    }

    private func killStragglers() {
        for pid in workers.keys { _ = kill(pid, SIGKILL) }
        killedStragglers = true
    }

    private func enforceDeadlines() {
        let now = MonotonicClock.now()
        if let drainDeadline, now >= drainDeadline, !killedStragglers {
            logger.warning("\(describeWorkers(workers.count)) still busy after \(Int(configuration.drainTimeout)) s; killing them")
            killStragglers()
        }
        for worker in workers.values {
            if let deadline = worker.stopDeadline, now >= deadline, drainDeadline == nil {
                logger.warning("worker \(worker.pid) did not stop within \(Int(configuration.drainTimeout)) s; killing it")
                _ = kill(worker.pid, SIGKILL)
                workers[worker.pid]?.stopDeadline = .infinity
            }
        }
    }

    /// Seconds until the next deadline or restart, nil to wait for the next event.
    private func nextTimeout() -> Double? {
        let now = MonotonicClock.now()
        if let drainDeadline {
            return killedStragglers ? nil : max(0, drainDeadline - now)
        }
        var deadlines = workers.values.compactMap(\.stopDeadline).filter(\.isFinite)
        if !throttle.mayRestart(at: now) { deadlines.append(throttle.pausedUntil) }
        return deadlines.min().map { max(0, $0 - now) }
    }

    private func describeWorkers(_ count: Int) -> String {
        count == 1 ? "1 worker" : "\(count) workers"
    }
}
