import Foundation
import MLMD
import Testing
@testable import Admin

@Suite struct VacuumTests {
    @Test func reclaimsFreePagesAndTruncatesTheWAL() throws {
        let fixture = try AdminFixture()
        let filler = String(repeating: "y", count: 4000)
        for index in 0..<200 {
            try fixture.post("/registered_models", ["name": .string("tmp-\(index)"), "description": .string(filler)])
        }
        try fixture.connection.execute("""
            DELETE FROM ContextProperty WHERE context_id IN (SELECT id FROM Context WHERE name LIKE 'tmp-%');
            DELETE FROM Context WHERE name LIKE 'tmp-%';
            PRAGMA wal_checkpoint(TRUNCATE);
            """)
        let report = try VacuumOperation(path: fixture.path).run()
        #expect(report.vacuumed)
        #expect(report.before.freelistPages > 100)
        #expect(report.after.freelistPages == 0)
        #expect(report.after.databaseBytes < report.before.databaseBytes)
        #expect(report.reclaimedBytes > 0)
        #expect(report.after.walBytes == 0)
        #expect(report.json["after"]?["databaseBytes"] == .int(report.after.databaseBytes))
        #expect(try StoreChecker(path: fixture.path).run().problemsFound == false)
        // The fixture's connection (a server) keeps working on the vacuumed file.
        try fixture.post("/registered_models", ["name": .string("after-vacuum")])
        #expect(fixture.call("GET", "/registered_models", query: "pageSize=100").items.count == 3)
    }

    @Test func checkpointOnlyAndTheSizeGuard() throws {
        let fixture = try AdminFixture()
        var checkpoint = VacuumOperation(path: fixture.path)
        checkpoint.checkpointOnly = true
        let report = try checkpoint.run()
        #expect(!report.vacuumed)
        #expect(report.checkpoints.count == 1)

        var guarded = VacuumOperation(path: fixture.path)
        guarded.maxVacuumBytes = 1024
        let error = expectFailure { _ = try guarded.run() }
        #expect(error?.message.contains("--checkpoint-only") == true)
    }

    @Test func refusesDamagedFiles() throws {
        let fixture = try AdminFixture()
        for damage in DamagedFile.allCases {
            let path = try damage.write(in: fixture)
            let before = FileFingerprint(path)
            _ = expectFailure { _ = try VacuumOperation(path: path).run() }
            #expect(FileFingerprint(path) == before, "\(damage)")
        }
    }
}

@Suite struct StatsTests {
    @Test func countsPerKindAndState() throws {
        let fixture = try AdminFixture()
        let report = try StatsOperation(path: fixture.path).run()
        #expect(report.totals["RegisteredModel"] == 2)
        #expect(report.totals["ModelVersion"] == 3)
        #expect(report.totals["ModelArtifact"] == 2)
        #expect(report.totals["Metric"] == 1)
        #expect(report.totals["MetricHistory"] == 2)
        #expect(report.totals["ServeModel"] == 1)
        #expect(report.breakdown("RegisteredModel", "state") == ["LIVE": 1, "ARCHIVED": 1])
        #expect(report.breakdown("ExperimentRun", "status") == ["RUNNING": 1])
        #expect(report.breakdown("InferenceService", "desiredState") == ["DEPLOYED": 1])
        #expect(report.breakdown("ModelArtifact", "state")["LIVE"] == 1)
        #expect(report.storage.pageSize == MetadataStore.newStorePageSize)
        #expect(report.storage.pageCount > 0)
        #expect(report.storage.databaseBytes > 0)
        #expect(report.storage.journalMode == "wal")
        #expect(report.json["entities"]?["RegisteredModel"]?["state"]?["ARCHIVED"] == .int(1))
        #expect(report.text.contains("RegisteredModel"))
    }

    @Test func missingAndDamagedFiles() throws {
        let fixture = try AdminFixture(populated: false)
        let missing = expectFailure { _ = try StatsOperation(path: fixture.file("none.db")).run() }
        #expect(missing?.message.contains("does not exist") == true)
        for damage in DamagedFile.allCases {
            let path = try damage.write(in: fixture)
            let error = expectFailure { _ = try StatsOperation(path: path).run() }
            #expect(error?.message.contains(path) == true, "\(damage): \(error?.message ?? "")")
        }
    }
}
