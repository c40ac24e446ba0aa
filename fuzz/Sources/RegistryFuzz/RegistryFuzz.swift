// libFuzzer targets for the registry, and a replayer for their corpora.
//
// Built with `-sanitize=fuzzer` and `-DFUZZING` (fuzz/run.sh), libFuzzer provides `main` and
// calls `LLVMFuzzerTestOneInput`; the target is chosen with REGISTRY_FUZZ_TARGET:
//
//   body    the first input byte picks a POST or PATCH route (and the API prefix), the rest is
//           the request body; Router.handle runs it against a store seeded with one entity
//           of each kind, so updates and nested creates reach the registry.
//   filter  the first byte picks a list endpoint, the rest is a filterQuery: parsed,
//           compiled to SQL and run by SQLite through Router.handle.
//
// Every answer must be a JSON object; errors must be 4xx in the Error shape. A 5xx, a
// non-JSON body or a trap is a finding. In an ordinary build (no FUZZING) this is a command
// that replays inputs: `RegistryFuzz <body|filter> <file or directory>...`.

import API
import JSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum FuzzTarget: String {
    case body, filter
}

/// One temporary store per process (on /dev/shm when there is one: fsync is free there).
final class Harness {
    let router: Router
    let directory: String
    private(set) var ids: [String: String] = [:]

    static let prefixes = ["/api/model_registry/v1alpha3", "/api/model_registry/v1"]

    /// (method, path template): {rm} {mv} {ma} {ex} {run} {se} {is} are the seeded ids.
    static let writeRoutes: [(String, String)] = [
        ("POST", "/registered_models"), ("PATCH", "/registered_models/{rm}"),
        ("POST", "/registered_models/{rm}/versions"), ("POST", "/model_versions"),
        ("PATCH", "/model_versions/{mv}"), ("POST", "/model_versions/{mv}/artifacts"),
        ("POST", "/model_artifacts"), ("PATCH", "/model_artifacts/{ma}"), ("POST", "/artifacts"),
        ("PATCH", "/artifacts/{ma}"), ("POST", "/experiments"), ("PATCH", "/experiments/{ex}"),
        ("POST", "/experiments/{ex}/experiment_runs"), ("POST", "/experiment_runs"),
        ("PATCH", "/experiment_runs/{run}"), ("POST", "/experiment_runs/{run}/artifacts"),
        ("POST", "/serving_environments"), ("PATCH", "/serving_environments/{se}"),
        ("POST", "/serving_environments/{se}/inference_services"), ("POST", "/inference_services"),
        ("PATCH", "/inference_services/{is}"), ("POST", "/inference_services/{is}/serves"),
    ]

    static let listRoutes = [
        "/registered_models", "/model_versions", "/registered_models/{rm}/versions", "/model_versions/{mv}/artifacts",
        "/model_artifacts", "/artifacts", "/experiments", "/experiment_runs", "/experiments/{ex}/experiment_runs",
        "/experiment_runs/{run}/artifacts", "/serving_environments", "/inference_services",
        "/serving_environments/{se}/inference_services", "/inference_services/{is}/serves",
    ]

    init() {
        var template = Array(((access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") + "/registry-fuzz-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            fatalError("mkdtemp failed")
        }
        directory = String(cString: made)
        let database = directory + "/fuzz.db"
        do {
            try Router.prepareStore(databasePath: database)
            router = try Router.open(databasePath: database, maxPageSize: 50)
        } catch {
            fatalError("cannot open the fuzz store: \(error)")
        }
        seed()
    }

    func cleanUp() {
        for suffix in ["", "-wal", "-shm"] { unlink(directory + "/fuzz.db" + suffix) }
        rmdir(directory)
    }

    private func seed() {
        func create(_ key: String, _ path: String, _ body: String) {
            let response = router.handle(Request(method: "POST", path: Self.prefixes[0] + expand(path), body: Array(body.utf8)))
            guard response.status == 201, case .object(let object)? = try? JSON.parse(response.body),
                  case .string(let id)? = object["id"] else {
                fatalError("seeding \(key) failed: \(response.status) \(String(decoding: response.body, as: UTF8.self))")
            }
            ids[key] = id
        }
        create("rm", "/registered_models", #"{"name": "seed-model"}"#)
        create("mv", "/registered_models/{rm}/versions", #"{"name": "seed-version"}"#)
        create("ma", "/model_versions/{mv}/artifacts", #"{"artifactType": "model-artifact", "name": "seed", "uri": "s3://seed"}"#)
        create("ex", "/experiments", #"{"name": "seed-experiment"}"#)
        create("run", "/experiments/{ex}/experiment_runs", #"{"name": "seed-run"}"#)
        create("se", "/serving_environments", #"{"name": "seed-environment"}"#)
        create("is", "/serving_environments/{se}/inference_services", #"{"name": "seed-service", "registeredModelId": "\#(ids["rm"]!)"}"#)
    }

    func expand(_ template: String) -> String {
        var path = template
        for (key, id) in ids { path = path.replacing("{\(key)}", with: id) }
        return path
    }

    func run(_ target: FuzzTarget, _ data: [UInt8]) {
        guard let selector = data.first else { return }
        let rest = Array(data.dropFirst())
        let prefix = Self.prefixes[Int(selector >> 7)]
        let request: Request
        switch target {
        case .body:
            let (method, path) = Self.writeRoutes[Int(selector & 0x7f) % Self.writeRoutes.count]
            request = Request(method: method, path: prefix + expand(path), headers: ["content-type": "application/json"], body: rest)
        case .filter:
            let path = Self.listRoutes[Int(selector & 0x7f) % Self.listRoutes.count]
            let query = "pageSize=5&filterQuery=" + percentEncode(rest)
            request = Request(method: "GET", path: prefix + expand(path), query: query)
        }
        let response = router.handle(request)
        if verbose { print("\(response.status) \(request.method) \(request.path) \(String(decoding: response.body.prefix(160), as: UTF8.self))") }
        check(request, response)
    }

    /// REGISTRY_FUZZ_VERBOSE=1: print every answer (to see what seeds reach).
    let verbose = getenv("REGISTRY_FUZZ_VERBOSE") != nil

    private func check(_ request: Request, _ response: Response) {
        func fail(_ why: String) -> Never {
            fatalError("\(why): \(request.method) \(request.path)?\(request.query) -> \(response.status) \(String(decoding: response.body.prefix(500), as: UTF8.self))")
        }
        guard case .object(let object)? = try? JSON.parse(response.body) else { fail("the answer is not a JSON object") }
        switch response.status {
        case 200, 201:
            break
        case 400..<500:
            guard object.count == 2, case .string? = object["code"], case .string(let message)? = object["message"], !message.isEmpty else {
                fail("an error not in the Error shape")
            }
        default:
            fail("unexpected status")
        }
    }

    private func percentEncode(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

nonisolated(unsafe) var harness: Harness?
nonisolated(unsafe) var selectedTarget = FuzzTarget.body

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let name = getenv("REGISTRY_FUZZ_TARGET").map { String(cString: $0) } ?? "body"
    guard let target = FuzzTarget(rawValue: name) else { fatalError("REGISTRY_FUZZ_TARGET must be body or filter, not \(name)") }
    selectedTarget = target
    harness = Harness()
    atexit { harness?.cleanUp() }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    harness!.run(selectedTarget, Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// `main`: libFuzzer's driver in a fuzzing build; otherwise a replayer of inputs (files, or
/// every file in a directory) through a target, where a finding traps.
@main
struct Main {
    static func main() {
        #if FUZZING
        // SwiftPM links executables with their own entry point, so libFuzzer's `main` is not
        // used; its driver is called instead (it calls LLVMFuzzerInitialize itself).
        typealias Driver = @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                                           @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "LLVMFuzzerRunDriver") else {
            fatalError("built with -DFUZZING but without -sanitize=fuzzer")
        }
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(unsafeBitCast(symbol, to: Driver.self)(&argc, &argv, fuzzerTestOneInput))
        #else
        replay(Array(CommandLine.arguments.dropFirst()))
        #endif
    }

    static func replay(_ arguments: [String]) {
        guard let first = arguments.first, let target = FuzzTarget(rawValue: first), arguments.count > 1 else {
            fputs("usage: RegistryFuzz <body|filter> <file or directory>...\n", stderr)
            exit(2)
        }
        let harness = Harness()
        defer { harness.cleanUp() }
        var count = 0
        for path in arguments.dropFirst() {
            for file in files(at: path) {
                guard let data = read(file) else {
                    fputs("cannot read \(file)\n", stderr)
                    exit(2)
                }
                harness.run(target, data)
                count += 1
            }
        }
        print("replayed \(count) inputs through the \(target.rawValue) target: no findings")
    }

    static func files(at path: String) -> [String] {
        guard let dir = opendir(path) else { return [path] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix(".") { names.append(path + "/" + name) }
        }
        return names.sorted()
    }

    static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }
}
