import MLMD
import Testing

private func declaredProperties(_ test: TestStore, typeID: Int64) throws -> [String: Int64] {
    var result: [String: Int64] = [:]
    try test.connection.query("SELECT name, data_type FROM TypeProperty WHERE type_id = ?", [.integer(typeID)]) {
        result[$0.string(0)] = $0.int64(1)
    }
    return result
}

private func isTypeConflict(_ error: any Error) -> Bool {
    if case MetadataStore.StoreError.typeConflict = error { return true }
    return false
}

@Suite struct EnsureTypeTests {
    @Test func createsTheTypeAndItsDeclaredProperties() throws {
        let test = try TestStore()
        let id = try test.store.ensureType(TypeDefinition(name: "kf.Thing", kind: .context, properties: [
            ("i", .int), ("d", .double), ("s", .string), ("st", .struct), ("p", .proto), ("b", .boolean),
        ]))
        #expect(id == 10)
        let row = try test.connection.first("SELECT name, type_kind, version FROM Type WHERE id = ?", [.integer(id)]) {
            ($0.string(0), $0.int64(1), $0.optionalString(2))
        }
        #expect(row?.0 == "kf.Thing")
        #expect(row?.1 == 2)
        #expect(row?.2 == nil)
        #expect(try declaredProperties(test, typeID: id) == ["i": 1, "d": 2, "s": 3, "st": 4, "p": 5, "b": 6])
        #expect(try test.store.typeID(named: "kf.Thing") == id)
        #expect(try test.store.typeName(id: id) == "kf.Thing")
    }

    @Test func kindsAreStoredAsMLMDNumbers() throws {
        let test = try TestStore()
        let e = try test.store.ensureType(TypeDefinition(name: "e", kind: .execution, properties: []))
        let a = try test.store.ensureType(TypeDefinition(name: "a", kind: .artifact, properties: []))
        let c = try test.store.ensureType(TypeDefinition(name: "c", kind: .context, properties: []))
        let kinds = try test.connection.all("SELECT type_kind FROM Type WHERE id IN (?, ?, ?) ORDER BY id",
                                            [.integer(e), .integer(a), .integer(c)]) { $0.int64(0) }
        #expect(kinds == [0, 1, 2])
    }

    @Test func isIdempotentAndAddsNewProperties() throws {
        let test = try TestStore()
        let definition = TypeDefinition(name: "kf.Thing", kind: .artifact, properties: [("a", .string)])
        let id = try test.store.ensureType(definition)
        #expect(try test.store.ensureType(definition) == id)
        let extended = TypeDefinition(name: "kf.Thing", kind: .artifact, properties: [("a", .string), ("b", .int)])
        #expect(try test.store.ensureType(extended) == id)
        #expect(try declaredProperties(test, typeID: id) == ["a": 3, "b": 1])
        #expect(try test.count("Type", where: "name = 'kf.Thing'") == 1)
        // A definition that lists fewer properties does not delete declared ones.
        #expect(try test.store.ensureType(TypeDefinition(name: "kf.Thing", kind: .artifact, properties: [])) == id)
        #expect(try declaredProperties(test, typeID: id).count == 2)
    }

    @Test func rejectsAConflictingKind() throws {
        let test = try TestStore()
        try test.store.ensureType(TypeDefinition(name: "kf.Thing", kind: .context, properties: []))
        #expect(throws: (any Error).self) {
            try test.store.ensureType(TypeDefinition(name: "kf.Thing", kind: .artifact, properties: []))
        }
        do {
            try test.store.ensureType(TypeDefinition(name: "mlmd.Model", kind: .context, properties: []))
            Issue.record("mlmd.Model is an artifact type")
        } catch {
            #expect(isTypeConflict(error))
            #expect("\(error)".contains("mlmd.Model"))
        }
    }

    @Test func rejectsAConflictingDataTypeAndWritesNothing() throws {
        let test = try TestStore()
        let id = try test.store.ensureType(TypeDefinition(name: "kf.Thing", kind: .context, properties: [("p", .string)]))
        do {
            try test.store.ensureType(TypeDefinition(name: "kf.Thing", kind: .context, properties: [("new", .int), ("p", .int)]))
            Issue.record("p is declared STRING")
        } catch {
            #expect(isTypeConflict(error))
            #expect("\(error)".contains("kf.Thing.p"))
        }
        // The property listed before the conflicting one was rolled back with it.
        #expect(try declaredProperties(test, typeID: id) == ["p": 3])
    }

    @Test func aConflictOnANewTypeLeavesNoTypeRow() throws {
        let test = try TestStore()
        // Declared twice with different types: the second declaration conflicts with the first.
        #expect(throws: (any Error).self) {
            try test.store.ensureType(TypeDefinition(name: "kf.New", kind: .context, properties: [("p", .string), ("p", .int)]))
        }
        #expect(try test.count("Type", where: "name = 'kf.New'") == 0)
        #expect(try test.count("TypeProperty") == 0)
    }

    @Test func aTypeWithAVersionIsNotTheUnversionedType() throws {
        let test = try TestStore()
        try test.connection.run("INSERT INTO Type(name, version, type_kind) VALUES ('kf.V', '1', 1)")
        let id = try test.store.ensureType(TypeDefinition(name: "kf.V", kind: .context, properties: []))
        #expect(try test.count("Type", where: "name = 'kf.V'") == 2)
        #expect(try test.store.typeID(named: "kf.V") == id)
    }

    @Test func unknownTypesAreReported() throws {
        let test = try TestStore()
        #expect {
            try test.store.typeID(named: "kf.Missing")
        } throws: { error in
            if case MetadataStore.StoreError.missingType("kf.Missing") = error { return true }
            return false
        }
        #expect(try test.store.typeName(id: 999) == nil)
        #expect(try test.store.typeName(id: 2) == "mlmd.Model")
    }

    /// Was a bug: `ensureType` caches the new id in `typeIDs` before the enclosing transaction
    /// commits; when that transaction rolls back the cache still answers with the id of a type
    /// that no longer exists. Fix: clear `typeIDs` when a transaction rolls back (e.g. a
    /// rollback hook on `Connection`), or fill the cache only from committed reads.
    @Test func aRolledBackTypeIsNotRemembered() throws {
        let test = try TestStore()
        #expect(throws: InjectedFailure.self) {
            try test.connection.transaction {
                try test.store.ensureType(TypeDefinition(name: "kf.Ghost", kind: .context, properties: []))
                throw InjectedFailure()
            }
        }
        #expect(try test.count("Type", where: "name = 'kf.Ghost'") == 0)
        #expect(throws: MetadataStore.StoreError.self) { try test.store.typeID(named: "kf.Ghost") }
    }
}
