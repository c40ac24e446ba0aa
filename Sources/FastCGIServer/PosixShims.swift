#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Free-function spellings of libc calls whose names are shadowed by methods of the same
// name (`close()`, `signal(_:)`) inside the types that use them.

func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

func setSignalDisposition(_ signo: Int32, _ disposition: sighandler_t?) {
    _ = signal(signo, disposition)
}
