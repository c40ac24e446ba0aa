import Admin
import ArgumentParser
import JSON
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Options every admin subcommand takes.
struct AdminOptions: ParsableArguments {
    @Option(help: ArgumentHelp("SQLite database file of the registry [env: MODEL_REGISTRY_DB]", valueName: "path"))
    var db: String?

    @Flag(help: "Print one JSON document on stdout instead of text.")
    var json = false

    @Option(help: ArgumentHelp("How long to wait for another connection's lock, in milliseconds (default: 10000, as the server)",
                               valueName: "ms"))
    var busyTimeout: String?

    @OptionGroup var logging: LoggingOptions

    /// `--db`, else `$MODEL_REGISTRY_DB`.
    func database() throws -> String {
        guard let path = db ?? EnvironmentFallback.string("MODEL_REGISTRY_DB"), !path.isEmpty else {
            throw AdminError.usage("--db (or MODEL_REGISTRY_DB) is required")
        }
        return path
    }

    func busyTimeoutMilliseconds() throws -> Int32 {
        guard let text = busyTimeout else { return Admin.defaultBusyTimeoutMilliseconds }
        guard let value = Int32(text), value >= 0 else {
            throw AdminError.usage("--busy-timeout must be a number of milliseconds, not \"\(text)\"")
        }
        return value
    }
}

/// The options of one admin subcommand and what it does with them.
protocol AdminArguments: ParsableCommand {
    var options: AdminOptions { get }
    /// True when stdout carries data (export to `-`), so the report goes to stderr.
    var reportsToStandardError: Bool { get }
    func execute(_ context: AdminContext) throws -> AdminReport
}

extension AdminArguments {
    var reportsToStandardError: Bool { false }
}

/// The subcommand registered with the root command. It captures its command line and parses it
/// with `Arguments` itself, so that every usage error — including the ones argument-parser
/// reports on its own, such as an option without its value — exits with status 2 (the root
/// command would exit 64), and `--help` shows `Arguments`' options.
struct AdminCommand<Arguments: AdminArguments>: ParsableCommand {
    static var configuration: CommandConfiguration {
        let full = Arguments.configuration
        let name = full.commandName.map { String($0.split(separator: " ").last ?? Substring($0)) }
        return CommandConfiguration(commandName: name, abstract: full.abstract,
                                    discussion: "Run `model-registry \(name ?? "") --help` for the options.", helpNames: [])
    }

    @Argument(parsing: .captureForPassthrough, help: .hidden)
    var arguments: [String] = []

    func run() throws {
        try AdminRunner.dispatch(Arguments.self, arguments: arguments)
    }
}

/// Runs an admin operation for a subcommand: sets up logging and the progress bar on stderr,
/// prints the report (text, or one JSON document with `--json`) and maps the outcome to the
/// exit status: 0 ok, 1 problems found or operation failed, 2 usage error.
enum AdminRunner {
    static func commandName<Arguments: AdminArguments>(_ type: Arguments.Type) -> String {
        let full = Arguments.configuration.commandName ?? "admin"
        return String(full.split(separator: " ").last ?? Substring(full))
    }

    static func dispatch<Arguments: AdminArguments>(_ type: Arguments.Type, arguments: [String]) throws {
        let command = commandName(type)
        let parsed: Arguments
        do {
            parsed = try Arguments.parse(arguments)
        } catch {
            let message = Arguments.fullMessage(for: error)
            if Arguments.exitCode(for: error).isSuccess {
                printLine(message, to: stdout)
                return
            }
            printLine(message, to: stderr)
            if arguments.contains("--json") {
                report(AdminError.usage(Arguments.message(for: error)), command: command, json: true, toStandardError: false,
                       alreadyPrinted: true)
            }
            throw ExitCode(2)
        }
        try run(command, parsed.options, reportToStandardError: parsed.reportsToStandardError) { context in
            try parsed.execute(context)
        }
    }

    static func run(_ command: String, _ options: AdminOptions, reportToStandardError: Bool = false,
                    _ body: (AdminContext) throws -> AdminReport) throws {
        let jsonOutput = options.json
        do {
            let logger = try makeLogger(options)
            let progress = TerminalProgress.forStandardError()
            let context = AdminContext(log: { message in
                progress?.clearLine()
                logger.info("\(message)")
            }, progress: progress)
            let report = try body(context)
            let text = jsonOutput ? String(decoding: report.json.serialized(), as: UTF8.self) : report.text
            printLine(text, to: reportToStandardError ? stderr : stdout)
            if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
        } catch let error as ExitCode {
            throw error
        } catch {
            let failure: AdminError
            switch error {
            case let error as AdminError: failure = error
            case let error as EnvironmentError: failure = AdminError.usage(error.description)
            default: failure = AdminError.failed("\(error)")
            }
            report(failure, command: command, json: jsonOutput, toStandardError: reportToStandardError)
            throw ExitCode(failure.exitStatus)
        }
    }

    private static func makeLogger(_ options: AdminOptions) throws -> Logger {
        do {
            return try options.logging.makeLogger(label: "model-registry")
        } catch let error as EnvironmentError {
            throw AdminError.usage(error.description)
        }
    }

    private static func report(_ error: AdminError, command: String, json: Bool, toStandardError: Bool,
                               alreadyPrinted: Bool = false) {
        if !alreadyPrinted {
            var text = "error: \(error.message)"
            for detail in error.details { text += "\n  \(detail)" }
            if error.kind == .usage { text += "\nsee `model-registry \(command) --help`" }
            printLine(text, to: stderr)
        }
        if json {
            let document: JSON = .object([
                "ok": .bool(false),
                "command": .string(command),
                "error": .object([
                    "kind": .string(error.kind.rawValue),
                    "message": .string(error.message),
                    "details": .array(error.details.map(JSON.string)),
                ]),
            ])
            printLine(String(decoding: document.serialized(), as: UTF8.self), to: toStandardError ? stderr : stdout)
        }
    }

    private static func printLine(_ text: String, to stream: UnsafeMutablePointer<FILE>) {
        fputs(text + "\n", stream)
        fflush(stream)
    }

    /// Parses a positive integer option value.
    static func positiveInt(_ text: String?, option: String, default value: Int) throws -> Int {
        guard let text else { return value }
        guard let number = Int(text), number > 0 else {
            throw AdminError.usage("\(option) must be a positive integer, not \"\(text)\"")
        }
        return number
    }

    static func required(_ value: String?, _ option: String) throws -> String {
        guard let value, !value.isEmpty else { throw AdminError.usage("\(option) is required") }
        return value
    }
}

/// Shared help text.
enum AdminHelp {
    static let exitStatus = """
        Exit status: 0 success; 1 problems found or the operation failed (nothing was changed \
        unless the output says otherwise); 2 usage error (bad or missing arguments). \
        Logs and, on a terminal, a progress bar go to stderr. See Docs/admin.md.
        """
}
