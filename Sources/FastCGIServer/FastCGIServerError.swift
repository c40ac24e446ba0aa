/// Why the FastCGI server could not start or keep running.
public enum FastCGIServerError: Error, CustomStringConvertible {
    case socketPathTooLong(String, limit: Int)
    case socketInUse(String)
    case notASocket(String)
    case workersFailedToStart(attempts: Int)

    public var description: String {
        switch self {
        case let .socketPathTooLong(path, limit):
            return "socket path is \(path.utf8.count) bytes, the limit is \(limit - 1): \(path) (use a shorter run directory)"
        case let .socketInUse(path):
            return "another server is already listening on \(path)"
        case let .notASocket(path):
            return "\(path) exists and is not a socket; refusing to replace it"
        case let .workersFailedToStart(attempts):
            return "no worker became ready after \(attempts) attempts (see the worker errors above)"
        }
    }
}
