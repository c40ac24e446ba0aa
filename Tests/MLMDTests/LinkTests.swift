import MLMD
import Testing

@Suite struct LinkTests {
    @Test func parentContextIsInsertIfAbsent() throws {
        let test = try TestStore()
        try test.store.addParentContext(child: 2, parent: 1)
        try test.store.addParentContext(child: 2, parent: 1)
        try test.store.addParentContext(child: 2, parent: 3)
        try test.store.addParentContext(child: 4, parent: 1)
        #expect(try test.count("ParentContext") == 3)
        #expect(try test.store.parentContexts(of: 2) == [1, 3])
        #expect(try test.store.parentContexts(of: 4) == [1])
        #expect(try test.store.parentContexts(of: 1) == [])
        #expect(try test.count("ParentContext", where: "context_id = 2 AND parent_context_id = 1") == 1)
    }

    @Test func attributionIsInsertIfAbsent() throws {
        let test = try TestStore()
        try test.store.addAttribution(context: 1, artifact: 10)
        try test.store.addAttribution(context: 1, artifact: 10)
        try test.store.addAttribution(context: 2, artifact: 10)
        try test.store.addAttribution(context: 1, artifact: 11)
        #expect(try test.count("Attribution") == 3)
        #expect(try test.store.attributedContexts(of: 10) == [1, 2])
        #expect(try test.store.attributedContexts(of: 11) == [1])
        // The duplicate did not consume or disturb row ids.
        #expect(try test.connection.all("SELECT id FROM Attribution ORDER BY id") { $0.int64(0) }.count == 3)
        #expect(try test.connection.first("SELECT id FROM Attribution WHERE context_id = 1 AND artifact_id = 10") { $0.int64(0) } == 1)
    }

    @Test func associationIsInsertIfAbsent() throws {
        let test = try TestStore()
        try test.store.addAssociation(context: 5, execution: 7)
        try test.store.addAssociation(context: 5, execution: 7)
        try test.store.addAssociation(context: 5, execution: 8)
        #expect(try test.count("Association") == 2)
        #expect(try test.count("Association", where: "context_id = 5 AND execution_id = 7") == 1)
    }

    @Test func linksRollBackWithTheirTransaction() throws {
        let test = try TestStore()
        #expect(throws: InjectedFailure.self) {
            try test.connection.transaction {
                try test.store.addParentContext(child: 2, parent: 1)
                try test.store.addAttribution(context: 1, artifact: 1)
                try test.store.addAssociation(context: 1, execution: 1)
                throw InjectedFailure()
            }
        }
        #expect(try test.count("ParentContext") + test.count("Attribution") + test.count("Association") == 0)
    }
}
