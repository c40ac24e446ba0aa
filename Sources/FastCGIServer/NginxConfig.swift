#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The values `model-registry up` fills into the nginx template, and the rendering.
public struct NginxConfig: Sendable {
    public var host: String
    public var port: Int
    public var socketPath: String
    /// Where nginx sends every request but GET and HEAD: the pool's writer
    /// (`WorkerPoolConfiguration.writerSocketPath`); nil sends them to `socketPath` too.
    public var writerSocketPath: String?
    public var runDirectory: String
    public var maxBodyBytes: Int
    /// Running as root: nginx's workers would otherwise switch to an unprivileged user that
    /// may not reach the socket inside the caller's (possibly private) data directory.
    public var runsAsRoot: Bool

    public init(host: String, port: Int, socketPath: String, writerSocketPath: String? = nil, runDirectory: String,
                maxBodyBytes: Int, runsAsRoot: Bool = geteuid() == 0) {
        self.host = host
        self.port = port
        self.socketPath = socketPath
        self.writerSocketPath = writerSocketPath
        self.runDirectory = runDirectory
        self.maxBodyBytes = maxBodyBytes
        self.runsAsRoot = runsAsRoot
    }

    public enum RenderError: Error, CustomStringConvertible, Equatable {
        case unsafeValue(placeholder: String, value: String)
        case unknownPlaceholder(String)

        public var description: String {
            switch self {
            case let .unsafeValue(placeholder, value):
                return "cannot put \(value.debugDescription) into the nginx config as {{\(placeholder)}}: quotes, backslashes, $, braces, ; and control characters are not allowed"
            case let .unknownPlaceholder(name):
                return "the nginx template uses an unknown placeholder {{\(name)}}"
            }
        }
    }

    /// Characters that would end a quoted string, start a variable, a block or a comment.
    private static let structuralCharacters = Set("\"'\\${};#".unicodeScalars)

    /// The placeholder values, validated so none can change the config's structure.
    public func values() throws -> [String: String] {
        let values = [
            "HOST": host.contains(":") ? "[\(host)]" : host,
            "PORT": String(port),
            "SOCKET": socketPath,
            "WRITER_SOCKET": writerSocketPath ?? socketPath,
            "RUN_DIR": runDirectory,
            "MAX_BODY_BYTES": String(maxBodyBytes),
            "USER_DIRECTIVE": runsAsRoot ? "user root;" : "",
        ]
        for (name, value) in values where name != "USER_DIRECTIVE" {
            // Paths are quoted in the template, so they may contain spaces; nothing else may.
            let spacesAllowed = name == "SOCKET" || name == "WRITER_SOCKET" || name == "RUN_DIR"
            let unsafe = value.unicodeScalars.contains { scalar in
                Self.structuralCharacters.contains(scalar) || scalar.value < 0x20 || scalar.value == 0x7f
                    || (scalar == " " && !spacesAllowed)
            }
            if value.isEmpty || unsafe { throw RenderError.unsafeValue(placeholder: name, value: value) }
        }
        return values
    }

    /// Replaces every `{{NAME}}` in `template`; unknown names are an error, so a template
    /// and a binary that disagree fail loudly instead of producing a broken config.
    public func render(template: String = NginxConfigTemplate.embedded) throws -> String {
        let values = try values()
        var output = ""
        var rest = Substring(template)
        while let open = rest.firstRange(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                output += rest[open.lowerBound...]
                return output
            }
            let name = String(rest[open.upperBound..<close.lowerBound])
            guard let value = values[name] else { throw RenderError.unknownPlaceholder(name) }
            output += value
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    /// nginx's command line for the rendered file: prefix and early error log in the run
    /// directory and on stderr, so nginx touches nothing outside it even before it reads
    /// the configuration.
    public func commandLine(configPath: String) -> [String] {
        ["-p", runDirectory, "-e", "stderr", "-c", configPath]
    }
}
