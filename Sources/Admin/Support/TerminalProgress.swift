#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar redrawn in place on a terminal (`\r`), at most ten times a second.
/// Create it only when the stream is a terminal (`TerminalProgress.forStandardError()`), so
/// redirected stderr never receives control characters.
public final class TerminalProgress: ProgressSink {
    private let descriptor: Int32
    private let width: Int
    private var label = ""
    private var total: Int64 = 0
    private var completed: Int64 = 0
    private var lastDraw: Double = 0
    private var visible = false

    public init(descriptor: Int32 = 2, width: Int = 30) {
        self.descriptor = descriptor
        self.width = width
    }

    /// A progress bar on stderr when stderr is a terminal, else nil.
    public static func forStandardError() -> TerminalProgress? {
        isatty(2) != 0 ? TerminalProgress(descriptor: 2) : nil
    }

    public func start(_ label: String, total: Int64) {
        self.label = label
        self.total = max(total, 0)
        self.completed = 0
        lastDraw = 0
        draw(force: true)
    }

    public func advance(to completed: Int64) {
        self.completed = min(max(completed, 0), max(total, completed))
        draw(force: false)
    }

    public func finish() {
        clearLine()
    }

    /// Erases the bar so that a log line can be written; the next update redraws it.
    public func clearLine() {
        guard visible else { return }
        write("\r\u{1B}[2K")
        visible = false
    }

    private func draw(force: Bool) {
        let now = Self.seconds()
        guard force || now - lastDraw >= 0.1 || completed == total else { return }
        lastDraw = now
        let fraction = total > 0 ? Double(completed) / Double(total) : 0
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        let percent = Int(fraction * 100)
        write("\r\u{1B}[2K\(label) [\(bar)] \(percent)% \(completed)/\(total)")
        visible = true
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { raw in
                systemWrite(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written <= 0 {
                if written < 0 && errno == EINTR { continue }
                return
            }
            offset += written
        }
    }

    private static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// `write(2)`, reachable from inside a type that has its own `write` method.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
