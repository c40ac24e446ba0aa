#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes the kernel signal this process when its parent dies (Linux `PR_SET_PDEATHSIG`), so
/// workers and helper processes never outlive a supervisor that was killed with SIGKILL.
enum ParentDeathSignal {
    /// Arms the signal for the calling child. Returns false when `expectedParent` is already
    /// gone (it died before the signal was armed), in which case the caller should exit.
    static func arm(_ signal: Int32, expectedParent: pid_t) -> Bool {
        #if os(Linux)
        if let prctl = prctlFunction {
            _ = prctl(prSetParentDeathSignal, UInt(signal), 0, 0, 0)
        }
        #endif
        return getppid() == expectedParent
    }

    /// Resolve `prctl` before forking, so the child does no symbol lookup.
    static func prepare() {
        #if os(Linux)
        _ = prctlFunction
        #endif
    }
}

#if os(Linux)
private let prSetParentDeathSignal: Int32 = 1 // PR_SET_PDEATHSIG from <sys/prctl.h>

// Swift cannot call C variadic functions and Glibc's module does not export `prctl`, so call
// it through a fixed-arity pointer; on the Linux ABIs we run on, integer arguments are passed
// the same way to variadic and fixed-arity functions.
private typealias PrctlFunction = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
private let prctlFunction: PrctlFunction? = {
    guard let symbol = dlsym(nil, "prctl") else { return nil }
    return unsafeBitCast(symbol, to: PrctlFunction.self)
}()
#endif
