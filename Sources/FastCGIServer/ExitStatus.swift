#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended, decoded from a `waitpid` status (the W* macros are not
/// importable into Swift).
public enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public init(waitStatus: Int32) {
        let signal = waitStatus & 0x7f
        self = signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signaled(signal)
    }

    public var isSuccess: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case let .exited(code):
            return "exit status \(code)"
        case let .signaled(signal):
            let name = strsignal(signal).map { String(cString: $0) } ?? "unknown"
            return "signal \(signal) (\(name))"
        }
    }
}
