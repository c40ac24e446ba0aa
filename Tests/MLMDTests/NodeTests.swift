import MLMD
import Testing

private func isConstraintViolation(_ error: any Error) -> Bool {
    (error as? SQLiteError)?.isConstraintViolation == true
}

@Suite struct NodeTests {
    @Test func contextInsertGetUpdate() throws {
        let test = try TestStore()
        let types = try test.standardTypes()
        let id = try test.store.insertNode(.context, NodeRow(typeID: types.context, name: "ctx", externalID: "ext-1",
                                                             createTime: 100, updateTime: 101, uri: "ignored", state: 7))
        #expect(id == 1)
        var node = try #require(try test.store.node(.context, id: id))
        #expect(node == NodeRow(id: id, typeID: types.context, name: "ctx", externalID: "ext-1",
                                createTime: 100, updateTime: 101, uri: nil, state: nil))
        node.externalID = nil
        node.updateTime = 200
        node.name = "renamed"   // names are immutable: updateNode does not write them
        node.createTime = 5     // nor the create time
        try test.store.updateNode(.context, node)
        #expect(try test.store.node(.context, id: id) == NodeRow(id: id, typeID: types.context, name: "ctx", externalID: nil,
                                                                 createTime: 100, updateTime: 200))
    }

    @Test func artifactInsertGetUpdate() throws {
        let test = try TestStore()
        let types = try test.standardTypes()
        let id = try test.store.insertNode(.artifact, NodeRow(typeID: types.artifact, name: "a", externalID: nil,
                                                              createTime: 1, updateTime: 2, uri: "s3://b/k", state: 2))
        var node = try #require(try test.store.node(.artifact, id: id))
        #expect(node == NodeRow(id: id, typeID: types.artifact, name: "a", externalID: nil, createTime: 1, updateTime: 2,
                                uri: "s3://b/k", state: 2))
        node.uri = nil
        node.state = 4
        node.externalID = "e"
        node.updateTime = 3
        try test.store.updateNode(.artifact, node)
        #expect(try test.store.node(.artifact, id: id) == node)
        let raw = try test.connection.first("SELECT uri, state FROM Artifact WHERE id = ?", [.integer(id)]) {
            ($0.optionalString(0), $0.optionalInt64(1))
        }
        #expect(raw?.0 == nil && raw?.1 == 4)
    }

    @Test func executionInsertGetUpdate() throws {
        let test = try TestStore()
        let types = try test.standardTypes()
        let id = try test.store.insertNode(.execution, NodeRow(typeID: types.execution, name: "run", externalID: "x",
                                                               createTime: 10, updateTime: 10, uri: "ignored", state: 3))
        var node = try #require(try test.store.node(.execution, id: id))
        #expect(node.state == 3)
        #expect(node.uri == nil)
        node.state = 6
        node.updateTime = 11
        try test.store.updateNode(.execution, node)
        #expect(try test.connection.scalarInt("SELECT last_known_state FROM Execution WHERE id = ?", [.integer(id)]) == 6)
        #expect(try test.store.node(.execution, id: id) == node)
    }

    @Test func nullableColumnsStayNull() throws {
        let test = try TestStore()
        let types = try test.standardTypes()
        let a = try test.store.insertNode(.artifact, NodeRow(typeID: types.artifact, name: nil, externalID: nil,
                                                             createTime: 0, updateTime: 0))
        #expect(try test.store.node(.artifact, id: a) == NodeRow(id: a, typeID: types.artifact, name: nil, externalID: nil,
                                                                 createTime: 0, updateTime: 0))
        #expect(try test.count("Artifact", where: "name IS NULL AND uri IS NULL AND state IS NULL AND external_id IS NULL") == 1)
    }

    @Test func idsArePerTable() throws {
        let test = try TestStore()
        let types = try test.standardTypes()
        let c1 = try test.store.insertNode(.context, NodeRow(typeID: types.context, name: "c1", externalID: nil, createTime: 0, updateTime: 0))
        let a1 = try test.store.insertNode(.artifact, NodeRow(typeID: types.artifact, name: "a1", externalID: nil, createTime: 0, updateTime: 0))
        let c2 = try test.store.insertNode(.context, NodeRow(typeID: types.context, name: "c2", externalID: nil, createTime: 0, updateTime: 0))
        let e1 = try test.store.insertNode(.execution, NodeRow(typeID: types.execution, name: "e1", externalID: nil, createTime: 0, updateTime: 0))
        #expect([c1, a1, c2, e1] == [1, 1, 2, 1])
    }

    @Test func missingNodesAreNil() throws {
        let test = try TestStore()
        #expect(try test.store.node(.context, id: 1) == nil)
        #expect(try test.store.node(.artifact, id: -1) == nil)
        #expect(try test.store.node(.execution, id: Int64.max) == nil)
    }

    @Test func nameIsUniquePerTypeAndExternalIDIsUniquePerTable() throws {
        let test = try TestStore()
        let types = try test.standardTypes()
        let other = try test.store.ensureType(TypeDefinition(name: "test.Other", kind: .context, properties: []))
        _ = try test.store.insertNode(.context, NodeRow(typeID: types.context, name: "n", externalID: "x", createTime: 0, updateTime: 0))
        #expect { try test.store.insertNode(.context, NodeRow(typeID: types.context, name: "n", externalID: nil, createTime: 0, updateTime: 0)) }
            throws: { isConstraintViolation($0) }
        // Same name under another type is fine; the same external id is not.
        _ = try test.store.insertNode(.context, NodeRow(typeID: other, name: "n", externalID: nil, createTime: 0, updateTime: 0))
        #expect { try test.store.insertNode(.context, NodeRow(typeID: other, name: "m", externalID: "x", createTime: 0, updateTime: 0)) }
            throws: { isConstraintViolation($0) }
        // Context names are NOT NULL.
        #expect { try test.store.insertNode(.context, NodeRow(typeID: types.context, name: nil, externalID: nil, createTime: 0, updateTime: 0)) }
            throws: { isConstraintViolation($0) }
        #expect(try test.count("Context") == 2)
    }

    @Test func nodeColumnsAndReadNodeSupportCustomQueries() throws {
        let test = try TestStore()
        let types = try test.standardTypes()
        let id = try test.store.insertNode(.artifact, NodeRow(typeID: types.artifact, name: "q", externalID: nil,
                                                              createTime: 5, updateTime: 6, uri: "u", state: 1))
        #expect(MetadataStore.nodeColumns(of: .context, alias: "c")
            == "c.id, c.type_id, c.name, c.external_id, c.create_time_since_epoch, c.last_update_time_since_epoch, NULL, NULL")
        let sql = "SELECT \(MetadataStore.nodeColumns(of: .artifact, alias: "x")) FROM Artifact x WHERE x.uri = ?"
        let rows = try test.connection.all(sql, [.text("u")], MetadataStore.readNode)
        #expect(rows == [NodeRow(id: id, typeID: types.artifact, name: "q", externalID: nil, createTime: 5, updateTime: 6,
                                 uri: "u", state: 1)])
    }
}
