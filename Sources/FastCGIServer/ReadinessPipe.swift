#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Workers report "my handler is built, I am about to accept" by writing their pid to one
/// pipe shared by all workers. A 4-byte write is atomic on a pipe, so reports never mix.
/// The supervisor waits for it before retiring an old worker during a rolling restart, and
/// keeps the write end open itself, so the read end never reports end-of-file.
struct ReadinessPipe {
    let readFD: Int32
    let writeFD: Int32
    private var pending: [UInt8] = []

    init() throws {
        let ends = try FileDescriptorFlags.makePipe(nonBlockingRead: true, nonBlockingWrite: false)
        readFD = ends.read
        writeFD = ends.write
    }

    static func reportReady(pid: pid_t, to fd: Int32) {
        var value = Int32(pid)
        _ = withUnsafeBytes(of: &value) { write(fd, $0.baseAddress, $0.count) }
    }

    /// The pids reported since the last call; never blocks.
    mutating func readyPids() -> [pid_t] {
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = read(readFD, &buffer, buffer.count)
            if count > 0 {
                pending.append(contentsOf: buffer[0..<count])
            } else if !(count < 0 && errno == EINTR) {
                break
            }
        }
        let whole = pending.count / 4 * 4
        let pids = stride(from: 0, to: whole, by: 4).map { offset in
            pending[offset..<offset + 4].withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
        }
        pending.removeFirst(whole)
        return pids.map { pid_t($0) }
    }

    func close() {
        closeDescriptor(readFD)
        closeDescriptor(writeFD)
    }
}
