#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A helper program (nginx, or this executable in another role) started with fork + exec.
///
/// Unlike `posix_spawn`, fork lets the child arm a parent-death signal before exec, so a
/// helper never outlives a parent that was killed with SIGKILL. Callers must be
/// single-threaded, like the rest of the supervisor code.
public struct ChildProcess: Sendable {
    public let pid: pid_t
    public let name: String
    /// Started with `ownProcessGroup`: the child leads a process group of its own.
    public let leadsProcessGroup: Bool

    /// Starts `executable` with `arguments` (argv[0] is added). stdin is /dev/null; stdout and
    /// stderr are inherited. With `ownProcessGroup`, a Ctrl-C in the terminal reaches only the
    /// parent, which then stops its helpers in order.
    public static func launch(
        name: String,
        executable: String,
        arguments: [String],
        ownProcessGroup: Bool = true,
        parentDeathSignal: Int32 = SIGTERM
    ) throws -> ChildProcess {
        guard access(executable, X_OK) == 0 else { throw SystemCallError("access(\(executable), X_OK)") }
        // Everything the child needs is allocated before fork; the child only makes system calls.
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard let program = argv[0], let devNull = strdup("/dev/null") else { throw SystemCallError("strdup", code: ENOMEM) }
        defer { free(devNull) }
        let parent = getpid()
        ParentDeathSignal.prepare()
        fflush(nil)

        let parentMask = SignalMask.blockAll()
        let pid = fork()
        if pid == 0 {
            // Child: handlers must not survive into the exec'd program as "ignored", and the
            // signal mask inherited from the fork must be cleared.
            for signal in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGCHLD, SIGPIPE, SIGUSR1, SIGUSR2] {
                setSignalDisposition(signal, SIG_DFL)
            }
            if ownProcessGroup { _ = setpgid(0, 0) }
            if !ParentDeathSignal.arm(parentDeathSignal, expectedParent: parent) { _exit(1) }
            let input = open(devNull, O_RDONLY)
            if input >= 0 { _ = dup2(input, STDIN_FILENO); if input != STDIN_FILENO { _ = close(input) } }
            SignalMask.unblockAll()
            execv(program, argv)
            _exit(127)
        }
        let forkError = errno
        SignalMask.restore(parentMask)
        if pid < 0 { throw SystemCallError("fork", code: forkError) }
        return ChildProcess(pid: pid, name: name, leadsProcessGroup: ownProcessGroup)
    }

    /// Sends `signal`; a child that already exited (but is not yet reaped) is not an error.
    public func send(_ signal: Int32) {
        _ = kill(pid, signal)
    }

    /// Sends `signal` to the child's process group: the child's own children included, such
    /// as nginx workers, which keep running (and listening) when their master is killed.
    public func sendToProcessGroup(_ signal: Int32) {
        if leadsProcessGroup { _ = kill(-pid, signal) }
    }
}
