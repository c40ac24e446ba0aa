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
}
