import ArgumentParser
import FastCGIServer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Worker pool flags shared by `serve` and `up`.
struct PoolOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Worker processes, besides the one writer that `up` (or `serve --writer-socket`) adds [env: MODEL_REGISTRY_WORKERS] (default: the number of CPU cores)", valueName: "n"))
    var workers: Int?

    @Option(help: ArgumentHelp("Largest accepted request body [env: MODEL_REGISTRY_MAX_BODY_BYTES] (default: 16 MiB)", valueName: "bytes"))
    var maxBodyBytes: Int?

    @Option(help: ArgumentHelp("Seconds a stop waits for in-flight requests before killing workers [env: MODEL_REGISTRY_DRAIN_TIMEOUT] (default: 30)", valueName: "seconds"))
    var drainTimeout: Double?

    @Option(help: ArgumentHelp("Most rows one list request returns, whatever pageSize asks [env: MODEL_REGISTRY_MAX_PAGE_SIZE] (default: 1000)", valueName: "n"))
    var maxPageSize: Int?

    @Option(help: ArgumentHelp("Require 'Authorization: Bearer <token>' on every API request (not the health probes); the file holds one token per line, # starts a comment, and is re-read when it changes [env: MODEL_REGISTRY_AUTH_TOKENS] (default: no authentication)", valueName: "file"))
    var authTokens: String?

    @Flag(help: ArgumentHelp("Answer every GET from the store, without reusing an earlier answer while the store is unchanged (see Docs/performance.md) [env: MODEL_REGISTRY_NO_RESPONSE_CACHE=true]"))
    var noResponseCache = false

    func resolvedCachesResponses() throws -> Bool {
        !(try noResponseCache || (EnvironmentFallback.bool("MODEL_REGISTRY_NO_RESPONSE_CACHE") ?? false))
    }

    /// The token file as an absolute path, or nil when authentication is off.
    func resolvedAuthTokens() -> String? {
        (authTokens ?? EnvironmentFallback.string("MODEL_REGISTRY_AUTH_TOKENS")).map(FilePaths.absolute)
    }

    func resolvedMaxPageSize() throws -> Int {
        let size = try maxPageSize ?? EnvironmentFallback.int("MODEL_REGISTRY_MAX_PAGE_SIZE") ?? 1000
        guard size > 0 else { throw ValidationError("--max-page-size must be at least 1") }
        return size
    }

    func resolvedWorkers() throws -> Int {
        let count = try workers ?? EnvironmentFallback.int("MODEL_REGISTRY_WORKERS") ?? max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        guard count > 0 else { throw ValidationError("--workers must be at least 1") }
        return count
    }

    func resolvedMaxBodyBytes() throws -> Int {
        let bytes = try maxBodyBytes ?? EnvironmentFallback.int("MODEL_REGISTRY_MAX_BODY_BYTES") ?? WorkerPoolConfiguration.defaultMaxBodyBytes
        guard bytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        return bytes
    }

    func resolvedDrainTimeout() throws -> Double {
        let seconds = try drainTimeout ?? EnvironmentFallback.double("MODEL_REGISTRY_DRAIN_TIMEOUT") ?? 30
        guard seconds >= 0 else { throw ValidationError("--drain-timeout must not be negative") }
        return seconds
    }
}
