import Foundation
import JSON
import MLMD
import Testing
@testable import Admin

@Suite struct PurgeDateTests {
    @Test func parsesMillisecondsDatesAndTimes() throws {
        #expect(try PurgeDate.parse("1700000000000") == 1_700_000_000_000)
        #expect(try PurgeDate.parse("1970-01-01") == 0)
        #expect(try PurgeDate.parse("2024-01-31") == 1_706_659_200_000)
        #expect(try PurgeDate.parse("2024-02-29T12:30:00Z") == 1_709_209_800_000)
        #expect(try PurgeDate.parse("2024-02-29T12:30:00.5Z") == 1_709_209_800_500)
        #expect(try PurgeDate.parse("2024-02-29T14:30:00+02:00") == 1_709_209_800_000)
        #expect(try PurgeDate.parse("2024-02-29T12:30") == 1_709_209_800_000)
    }

    @Test func rejectsNonsense() {
        for text in ["", "yesterday", "2024-13-01", "2023-02-29", "2024-01-31T25:00:00Z", "2024-01-31T12:00:00Q",
                     "2024-1-1", "-5", "2024-01-31T12:00:00.Z", "99999999999999999999999"] {
            _ = expectFailure(.usage) { _ = try PurgeDate.parse(text) }
        }
    }
}

@Suite struct PurgeTests {
    /// Archived models/versions with update times in the past, plus things that must stay.
    func makeFixture() throws -> (AdminFixture, cutoff: Int64) {
        let fixture = try AdminFixture()
        // gamma: archived, with two versions and an artifact shared with a version of alpha.
        let gamma = try fixture.post("/registered_models", ["name": .string("gamma"), "state": .string("ARCHIVED")]).id
        let g1 = try fixture.post("/model_versions", ["name": .string("g1"), "registeredModelId": .string(gamma)]).id
        try fixture.post("/model_versions", ["name": .string("g2"), "registeredModelId": .string(gamma), "state": .string("ARCHIVED")])
        try fixture.post("/model_versions/\(g1)/artifacts", ["artifactType": .string("model-artifact"), "name": .string("gw")])
        let alphaV2 = try #require(try fixture.contextID(type: "kf.ModelVersion", name: "\(try fixture.contextID(type: "kf.RegisteredModel", name: "alpha")!):v2"))
        let shared = try fixture.post("/artifacts", ["artifactType": .string("doc-artifact"), "name": .string("shared")]).id
        try fixture.post("/model_versions/\(g1)/artifacts", ["artifactType": .string("doc-artifact"), "id": .string(shared)])
        try fixture.post("/model_versions/\(alphaV2)/artifacts", ["artifactType": .string("doc-artifact"), "id": .string(shared)])
        // An archived version of a live model; and an archived version still served.
        try fixture.patch("/model_versions/\(alphaV2)", ["state": .string("ARCHIVED")])
        let alphaV1 = try #require(try fixture.contextID(type: "kf.ModelVersion", name: "\(try fixture.contextID(type: "kf.RegisteredModel", name: "alpha")!):v1"))
        try fixture.patch("/model_versions/\(alphaV1)", ["state": .string("ARCHIVED")])
        // Everything so far is "old": move update times back a day.
        try fixture.connection.execute("UPDATE Context SET last_update_time_since_epoch = last_update_time_since_epoch - 86400000")
        let cutoff = Files.nowMilliseconds() - 3_600_000
        // delta: archived but recent.
        try fixture.post("/registered_models", ["name": .string("delta"), "state": .string("ARCHIVED")])
        return (fixture, cutoff)
    }

    @Test func dryRunListsAndChangesNothing() throws {
        let (fixture, cutoff) = try makeFixture()
        let before = try fixture.count("Context")
        var operation = PurgeOperation(path: fixture.path, archivedBefore: cutoff)
        operation.dryRun = true
        let report = try operation.run()
        #expect(Set(report.plan.models.map(\.name)) == ["beta", "gamma"])
        #expect(report.plan.versions.map(\.name).count == 1)
        #expect(report.plan.versions.first?.name.hasSuffix(":v2") == true)
        #expect(report.plan.kept.contains { $0.kind == "ModelVersion" && $0.name.hasSuffix(":v1") && $0.reason.contains("inference service") })
        let gamma = try #require(report.plan.models.first { $0.name == "gamma" })
        #expect(gamma.versions.count == 2)
        #expect(gamma.artifacts == 1)  // gw; "shared" stays
        #expect(try fixture.count("Context") == before)
        #expect(report.json["dryRun"] == .bool(true))
    }

    @Test func purgeRemovesArchivedEntitiesAndLeavesNoOrphans() throws {
        let (fixture, cutoff) = try makeFixture()
        var operation = PurgeOperation(path: fixture.path, archivedBefore: cutoff)
        operation.batchSize = 1
        let report = try operation.run()
        #expect(report.removedModels == 2)
        #expect(report.removedVersions == 4)  // b1, g1, g2, alpha v2
        // old (b1), gw (g1), then with alpha v2: data and shared (only v2 had them left); not
        // weights, which v1 (kept) shares.
        #expect(report.removedArtifacts == 4)
        #expect(report.batches >= 6)
        #expect(try fixture.contextID(type: "kf.RegisteredModel", name: "gamma") == nil)
        #expect(try fixture.contextID(type: "kf.RegisteredModel", name: "beta") == nil)
        #expect(try fixture.contextID(type: "kf.RegisteredModel", name: "delta") != nil)
        #expect(try fixture.contextID(type: "kf.RegisteredModel", name: "alpha") != nil)
        #expect(try fixture.count("Artifact", where: "name LIKE '%:weights'") == 1)
        #expect(try fixture.count("Artifact", where: "name LIKE '%:shared'") == 0)
        #expect(try StoreChecker(path: fixture.path).run().problems == [])
        // Nothing left to do.
        let again = try PurgeOperation(path: fixture.path, archivedBefore: cutoff).run()
        #expect(again.removedModels == 0 && again.removedVersions == 0)
    }

    @Test func badArgumentsAndDamagedFiles() throws {
        let fixture = try AdminFixture()
        _ = expectFailure(.usage) { _ = try PurgeOperation(path: fixture.path, archivedBefore: -1).run() }
        var operation = PurgeOperation(path: fixture.path, archivedBefore: 0)
        operation.batchSize = 0
        _ = expectFailure(.usage) { _ = try operation.run() }
        for damage in DamagedFile.allCases {
            let path = try damage.write(in: fixture)
            let before = FileFingerprint(path)
            _ = expectFailure { _ = try PurgeOperation(path: path, archivedBefore: Files.nowMilliseconds()).run() }
            #expect(FileFingerprint(path) == before, "\(damage)")
        }
    }
}
