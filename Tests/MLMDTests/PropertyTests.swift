import MLMD
import Testing

/// The raw value columns of one property row: int, double, string, bytes, proto, bool.
private struct RawColumns: Equatable {
    var int: Int64?
    var double: Double?
    var string: String?
    var bytes: [UInt8]?
    var proto: [UInt8]?
    var bool: Int64?
}

private func rawColumns(_ test: TestStore, _ kind: NodeKind, owner: Int64, name: String, custom: Bool) throws -> RawColumns? {
    try test.connection.first("""
        SELECT int_value, double_value, string_value, byte_value, proto_value, bool_value FROM \(kind.propertyTable)
        WHERE \(kind.propertyOwnerColumn) = ? AND name = ? AND is_custom_property = ?
        """, [.integer(owner), .text(name), .integer(custom ? 1 : 0)]) {
        RawColumns(int: $0.optionalInt64(0), double: $0.optionalDouble(1), string: $0.optionalString(2),
                   bytes: $0.blob(3), proto: $0.blob(4), bool: $0.optionalInt64(5))
    }
}

private func makeNode(_ test: TestStore, _ kind: NodeKind, name: String = "n") throws -> Int64 {
    let types = try test.standardTypes()
    let typeID: Int64
    switch kind {
    case .context: typeID = types.context
    case .artifact: typeID = types.artifact
    case .execution: typeID = types.execution
    }
    return try test.store.insertNode(kind, NodeRow(typeID: typeID, name: name, externalID: nil, createTime: 0, updateTime: 0))
}

private let allKinds: [NodeKind] = [.context, .artifact, .execution]

@Suite struct PropertyValueTests {
    @Test(arguments: allKinds)
    func everyValueKindRoundTrips(kind: NodeKind) throws {
        let test = try TestStore()
        let id = try makeNode(test, kind)
        let rows: [PropertyRow] = [
            PropertyRow(name: "max", isCustom: false, value: .int(Int64.max)),
            PropertyRow(name: "min", isCustom: false, value: .int(Int64.min)),
            PropertyRow(name: "zero", isCustom: true, value: .int(0)),
            PropertyRow(name: "pi", isCustom: true, value: .double(3.141592653589793)),
            PropertyRow(name: "huge", isCustom: true, value: .double(.greatestFiniteMagnitude)),
            PropertyRow(name: "tiny", isCustom: true, value: .double(-.leastNonzeroMagnitude)),
            PropertyRow(name: "inf", isCustom: true, value: .double(.infinity)),
            PropertyRow(name: "wholeDouble", isCustom: true, value: .double(2)),
            PropertyRow(name: "text", isCustom: false, value: .string("héllo 中文 😀 'quote' \"dq\" \\")),
            PropertyRow(name: "empty", isCustom: true, value: .string("")),
            PropertyRow(name: "numericText", isCustom: true, value: .string("42")),
            PropertyRow(name: "yes", isCustom: true, value: .bool(true)),
            PropertyRow(name: "no", isCustom: true, value: .bool(false)),
            PropertyRow(name: "blob", isCustom: true, value: .bytes([0, 1, 2, 0xFF, 0])),
            PropertyRow(name: "proto", isCustom: true, value: .proto(Array("CgN0eXA=".utf8))),
            PropertyRow(name: "名前", isCustom: true, value: .string("unicode key")),
        ]
        for row in rows { try test.store.setProperty(kind, owner: id, row) }
        let read = try test.store.properties(kind, of: [id])[id] ?? []
        #expect(read.count == rows.count)
        for row in rows {
            #expect(read.contains(row), "\(row.name)")
        }
    }

    @Test func valuesLandInTheirOwnColumn() throws {
        let test = try TestStore()
        let id = try makeNode(test, .context)
        func set(_ name: String, _ value: PropertyValue) throws {
            try test.store.setProperty(.context, owner: id, PropertyRow(name: name, isCustom: true, value: value))
        }
        try set("i", .int(-5))
        try set("d", .double(0.5))
        try set("s", .string("x"))
        try set("b", .bool(true))
        try set("f", .bool(false))
        try set("y", .bytes([9, 8]))
        try set("p", .proto([7]))
        #expect(try rawColumns(test, .context, owner: id, name: "i", custom: true) == RawColumns(int: -5))
        #expect(try rawColumns(test, .context, owner: id, name: "d", custom: true) == RawColumns(double: 0.5))
        #expect(try rawColumns(test, .context, owner: id, name: "s", custom: true) == RawColumns(string: "x"))
        #expect(try rawColumns(test, .context, owner: id, name: "b", custom: true) == RawColumns(bool: 1))
        #expect(try rawColumns(test, .context, owner: id, name: "f", custom: true) == RawColumns(bool: 0))
        #expect(try rawColumns(test, .context, owner: id, name: "y", custom: true) == RawColumns(bytes: [9, 8]))
        #expect(try rawColumns(test, .context, owner: id, name: "p", custom: true) == RawColumns(proto: [7]))
        // Storage classes are what MLMD expects (INTEGER for ints and bools, REAL for doubles, BLOB for bytes).
        let classes = try test.connection.all("""
            SELECT name, typeof(int_value), typeof(double_value), typeof(string_value), typeof(byte_value),
                   typeof(proto_value), typeof(bool_value) FROM ContextProperty WHERE context_id = ? ORDER BY name
            """, [.integer(id)]) { row in (0..<7).map { row.string(Int32($0)) }.joined(separator: ",") }
        #expect(classes == [
            "b,null,null,null,null,null,integer", "d,null,real,null,null,null,null",
            "f,null,null,null,null,null,integer", "i,integer,null,null,null,null,null",
            "p,null,null,null,null,blob,null", "s,null,null,text,null,null,null",
            "y,null,null,null,blob,null,null",
        ])
    }

    @Test func insertOrReplaceKeepsOneRowPerNameAndKind() throws {
        let test = try TestStore()
        let id = try makeNode(test, .artifact)
        try test.store.setProperty(.artifact, owner: id, PropertyRow(name: "p", isCustom: false, value: .int(1)))
        try test.store.setProperty(.artifact, owner: id, PropertyRow(name: "p", isCustom: false, value: .string("now text")))
        #expect(try rawColumns(test, .artifact, owner: id, name: "p", custom: false) == RawColumns(string: "now text"),
                "the old int_value must not survive the replacement")
        // A custom property of the same name is a separate row.
        try test.store.setProperty(.artifact, owner: id, PropertyRow(name: "p", isCustom: true, value: .bool(true)))
        #expect(try test.count("ArtifactProperty", where: "artifact_id = \(id)") == 2)
        let read = try test.store.properties(.artifact, of: [id])[id] ?? []
        #expect(Set(read.map { "\($0.name):\($0.isCustom)" }) == ["p:false", "p:true"])
        #expect(read.contains(PropertyRow(name: "p", isCustom: false, value: .string("now text"))))
        #expect(read.contains(PropertyRow(name: "p", isCustom: true, value: .bool(true))))
    }

    @Test func propertiesOfSeveralNodesAreGroupedByOwner() throws {
        let test = try TestStore()
        let types = try test.standardTypes()
        var ids: [Int64] = []
        for i in 0..<5 {
            let id = try test.store.insertNode(.execution, NodeRow(typeID: types.execution, name: "e\(i)", externalID: nil,
                                                                   createTime: 0, updateTime: 0))
            ids.append(id)
            for j in 0..<i {
                try test.store.setProperty(.execution, owner: id, PropertyRow(name: "k\(j)", isCustom: true, value: .int(Int64(j))))
            }
        }
        let grouped = try test.store.properties(.execution, of: ids + [999])
        #expect(grouped[ids[0]] == nil)
        for (i, id) in ids.enumerated().dropFirst() {
            #expect(grouped[id]?.count == i)
        }
        #expect(grouped[999] == nil)
        #expect(try test.store.properties(.execution, of: []).isEmpty)
    }

    @Test func rowsWithNoValueAreSkipped() throws {
        let test = try TestStore()
        let id = try makeNode(test, .context)
        try test.connection.run("INSERT INTO ContextProperty(context_id, name, is_custom_property) VALUES (?, 'empty', 1)",
                                [.integer(id)])
        try test.store.setProperty(.context, owner: id, PropertyRow(name: "x", isCustom: true, value: .int(1)))
        #expect(try test.store.properties(.context, of: [id])[id] == [PropertyRow(name: "x", isCustom: true, value: .int(1))])
    }

    @Test func deletePropertyRemovesOnlyTheNamedRow() throws {
        let test = try TestStore()
        let id = try makeNode(test, .context)
        try test.store.setProperty(.context, owner: id, PropertyRow(name: "a", isCustom: true, value: .int(1)))
        try test.store.setProperty(.context, owner: id, PropertyRow(name: "a", isCustom: false, value: .int(2)))
        try test.store.deleteProperty(.context, owner: id, name: "a", isCustom: true)
        #expect(try test.store.properties(.context, of: [id])[id] == [PropertyRow(name: "a", isCustom: false, value: .int(2))])
    }

    @Test(arguments: allKinds)
    func replaceCustomPropertiesKeepsTypedRows(kind: NodeKind) throws {
        let test = try TestStore()
        let id = try makeNode(test, kind)
        let other = try makeNode(test, kind, name: "other")
        try test.store.setProperty(kind, owner: id, PropertyRow(name: "typed", isCustom: false, value: .string("keep")))
        try test.store.setProperty(kind, owner: id, PropertyRow(name: "same", isCustom: false, value: .int(1)))
        try test.store.setProperty(kind, owner: id, PropertyRow(name: "old", isCustom: true, value: .int(1)))
        try test.store.setProperty(kind, owner: id, PropertyRow(name: "same", isCustom: true, value: .int(2)))
        try test.store.setProperty(kind, owner: other, PropertyRow(name: "old", isCustom: true, value: .int(3)))
        try test.store.replaceCustomProperties(kind, owner: id, with: [
            PropertyRow(name: "same", isCustom: true, value: .string("replaced")),
            // Rows given to replaceCustomProperties are always stored as custom.
            PropertyRow(name: "new", isCustom: false, value: .bool(true)),
        ])
        let read = Set((try test.store.properties(kind, of: [id])[id] ?? []).map { "\($0.name):\($0.isCustom):\($0.value)" })
        #expect(read == [
            "typed:false:\(PropertyValue.string("keep"))", "same:false:\(PropertyValue.int(1))",
            "same:true:\(PropertyValue.string("replaced"))", "new:true:\(PropertyValue.bool(true))",
        ])
        // Another node's custom properties are untouched.
        #expect(try test.store.properties(kind, of: [other])[other] == [PropertyRow(name: "old", isCustom: true, value: .int(3))])
        // Replacing with nothing clears the custom set only.
        try test.store.replaceCustomProperties(kind, owner: id, with: [])
        #expect((try test.store.properties(kind, of: [id])[id] ?? []).allSatisfy { !$0.isCustom })
        #expect(try test.store.properties(kind, of: [id])[id]?.count == 2)
    }

    /// Was a bug: `Statement.bind` passes `.text` with length -1, so SQLite stops at the first NUL and
    /// "a\0b" is stored as "a". (JSON input cannot carry NUL, but the MLMD layer is a general
    /// API.) Fix: bind with the UTF-8 byte count, e.g.
    /// `var s = v; s.withUTF8 { sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }`.
    @Test func stringsWithEmbeddedNULRoundTrip() throws {
        let test = try TestStore()
        let id = try makeNode(test, .context)
        try test.store.setProperty(.context, owner: id, PropertyRow(name: "nul", isCustom: true, value: .string("a\u{0}b")))
        let read = try test.store.properties(.context, of: [id])[id]
        #expect(read == [PropertyRow(name: "nul", isCustom: true, value: .string("a\u{0}b"))])
    }

    @Test func emptyBytesRoundTrip() throws {
        let test = try TestStore()
        let id = try makeNode(test, .artifact)
        try test.store.setProperty(.artifact, owner: id, PropertyRow(name: "empty", isCustom: true, value: .bytes([])))
        #expect(try test.store.properties(.artifact, of: [id])[id] == [PropertyRow(name: "empty", isCustom: true, value: .bytes([]))])
    }
}
