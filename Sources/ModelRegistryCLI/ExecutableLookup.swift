#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finding the programs `up` starts: nginx, and this executable again as `serve`.
enum ExecutableLookup {
    /// The first executable `name` on PATH.
    static func onPath(_ name: String) -> String? {
        let path = EnvironmentFallback.string("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = FilePaths.absolute("\(directory)/\(name)")
            if FilePaths.isExecutable(candidate) { return candidate }
        }
        return nil
    }

    /// nginx: on PATH, else Debian's location (often not on a non-root user's PATH).
    static func nginx() -> String? {
        onPath("nginx") ?? ["/usr/sbin/nginx", "/usr/local/sbin/nginx"].first(where: FilePaths.isExecutable)
    }

    /// The absolute path of the running executable.
    static func current() -> String? {
        #if os(Linux)
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length > 0 {
            return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        #endif
        let argument0 = CommandLine.arguments.first ?? ""
        if argument0.contains("/") { return FilePaths.absolute(argument0) }
        return onPath(argument0)
    }
}
