import Foundation
import ModelRegistryC
import XCTest

/// One embedded handle used from many threads: requests take turns on the SQLite connection.
final class ConcurrencyTests: XCTestCase {
    func testEightThreadsWriteWithoutLoss() throws {
        let directory = try TemporaryDirectory()
        let handle = openRegistry(directory.path("registry.db"))
        defer { _ = mr_close(handle) }
        let lock = NSLock()
        var statuses: [Int32] = []
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for i in 0..<25 {
                let result = call(handle, "POST", apiPrefix + "/registered_models", body: "{\"name\": \"t\(thread)-\(i)\"}")
                lock.withLock { statuses.append(result.code == 0 ? result.status : -1) }
            }
        }
        XCTAssertEqual(statuses.count, 200)
        XCTAssertEqual(Set(statuses), [201])
        let all = call(handle, "GET", apiPrefix + "/registered_models")
        XCTAssertEqual(all.json["size"] as? Int, 200)
    }
}
