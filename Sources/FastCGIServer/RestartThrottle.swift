#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides when dead workers may be replaced: at once, unless they keep dying (more than
/// `limit` deaths within `window` seconds), in which case restarts pause for `pause` seconds
/// instead of burning CPU on a crash loop.
struct RestartThrottle {
    let limit: Int
    let window: Double
    let pause: Double
    private var deaths: [Double] = []
    private(set) var pausedUntil: Double = 0

    init(limit: Int, window: Double, pause: Double) {
        self.limit = limit
        self.window = window
        self.pause = pause
    }

    /// Records an unexpected death; true when it starts a pause.
    mutating func recordDeath(at now: Double) -> Bool {
        deaths.append(now)
        deaths.removeAll { $0 <= now - window }
        guard deaths.count > limit, now >= pausedUntil else { return false }
        pausedUntil = now + pause
        deaths.removeAll()
        return true
    }

    func mayRestart(at now: Double) -> Bool {
        now >= pausedUntil
    }

    /// Whether a worker's death counts toward the pause. A worker that dies before it is
    /// ready, or that was serving and exits by itself, would do so again at once: a crash
    /// loop. A serving worker killed by a signal would not: SIGKILL only ever comes from
    /// outside (the OOM killer, an operator), and a crash while serving one request says
    /// nothing about the next. Pausing restarts then would leave nginx's requests queued
    /// with no worker to take them (and let a few bad requests stop the whole pool), so
    /// those workers are replaced at once.
    static func indicatesCrashLoop(wasReady: Bool, status: ExitStatus) -> Bool {
        switch status {
        case .signaled(SIGKILL): return false
        case .signaled: return !wasReady
        case .exited: return true
        }
    }
}
