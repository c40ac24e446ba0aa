import CSQLite
import MLMD
import Registry

/// Why an admin operation did not do its job. `usage` means the command line was wrong (exit
/// status 2); `failed` covers everything else: missing or corrupt files, refusals, storage errors
/// (exit status 1).
public struct AdminError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        case usage
        case failed
    }

    public var kind: Kind
    public var message: String
    /// Further lines worth showing (a list of conflicts, of processes, …).
    public var details: [String]

    public init(_ kind: Kind, _ message: String, details: [String] = []) {
        self.kind = kind
        self.message = message
        self.details = details
    }

    public static func usage(_ message: String) -> AdminError { AdminError(.usage, message) }

    public static func failed(_ message: String, details: [String] = []) -> AdminError {
        AdminError(.failed, message, details: details)
    }

    public var description: String {
        ([message] + details.map { "  " + $0 }).joined(separator: "\n")
    }

    /// The process exit status for this error.
    public var exitStatus: Int32 { kind == .usage ? 2 : 1 }
}

extension AdminError {
    /// Explains an error from a lower layer in an operator's words, naming the file involved.
    static func from(_ error: Error, path: String, doing action: String) -> AdminError {
        switch error {
        case let error as AdminError:
            return error
        case let error as SQLiteError:
            return AdminError.failed("\(action): \(explain(code: error.code, message: error.message, path: path))")
        case let error as SQLiteFailure:
            return AdminError.failed("\(action): \(explain(code: error.code, message: error.message, path: path))")
        case let error as MetadataStore.StoreError:
            return AdminError.failed("\(action): \(path): \(error)")
        case let error as RegistryError:
            return AdminError.failed("\(action): \(error.message)")
        default:
            return AdminError.failed("\(action): \(error)")
        }
    }

    /// A sentence for an SQLite failure on `path`.
    static func explain(code: Int32, message: String, path: String) -> String {
        switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED:
            return "\(path) is busy: another connection kept it locked for longer than the busy timeout (\(message))"
        case SQLITE_NOTADB:
            return "\(path) is not an SQLite database (\(message))"
        case SQLITE_CORRUPT:
            return "\(path) is corrupt (\(message))"
        case SQLITE_CANTOPEN:
            return "cannot open \(path) (\(message))"
        case SQLITE_READONLY:
            return "\(path) is read-only (\(message))"
        case SQLITE_FULL:
            return "the disk holding \(path) is full (\(message))"
        case SQLITE_IOERR:
            return "I/O error on \(path) (\(message))"
        case SQLITE_PERM, SQLITE_AUTH:
            return "permission denied on \(path) (\(message))"
        default:
            return "\(path): SQLite error \(code): \(message)"
        }
    }
}
