import Foundation
import JSON
import MLMD
import Testing
@testable import Registry

/// Filtered lists in id order start from the property index of one equality of the filter
/// (`RegistryService.list`); they must return exactly the rows, order and pages of the plain
/// form, which lists in create-time order take (the times here equal the ids).
@Suite struct ServiceFilterIndexTests {
    private func fixture() throws -> RegistryFixture {
        let fixture = try RegistryFixture()
        let models = [try fixture.registeredModel("m1", custom: ["team": .string("a")]),
                      try fixture.registeredModel("m2")]
        for i in 0..<14 {
            var custom: [String: MetadataValue] = ["team": .string(i % 3 == 0 ? "a" : "b")]
            // batch: an int on most versions, a double 3.0 on one, absent on some.
            if i % 4 != 1 { custom["batch"] = i == 10 ? .double(3) : .int(Int64(i % 5)) }
            // A custom property with the name and value of a typed one: two rows for one version.
            if i % 2 == 0 { custom["description"] = .string("same") }
            let fields: [String: FieldValue] = i % 2 == 0 ? ["description": .string("same")] : [:]
            let version = try fixture.modelVersion("v\(i)", of: models[i % 2].id!, fields: fields, custom: custom)
            try fixture.setTimes(.context, id: version.id!, create: version.id!, update: version.id!)
        }
        return fixture
    }

    private func ids(_ service: RegistryService, _ filter: String, order: OrderField, descending: Bool,
                     pageSize: Int) throws -> [Int64] {
        var query = ListQuery(kinds: [.modelVersion], filterQuery: filter, pageSize: pageSize, orderBy: order,
                              descending: descending)
        var out: [Int64] = []
        for _ in 0..<100 {
            let page = try service.list(query)
            out += page.items.map(\.id!)
            if page.nextPageToken.isEmpty { return out }
            query.pageToken = page.nextPageToken
        }
        Issue.record("no last page")
        return out
    }

    @Test func drivenAndPlainListsAgree() throws {
        let fixture = try fixture()
        let filters = [
            "team = 'a'", "team='b'", "batch = 3", "batch = 2", "batch = 3.0", "batch = 7", "team = 'a' AND batch = 0",
            "batch = 0 AND team = 'a'", "description = 'same'", "description = 'same' AND team = 'b'",
            "team = 'a' OR batch = 3", "state = 'LIVE' AND team = 'a'", "team.string_value = 'a'",
            "batch.int_value = 3", "batch.double_value = 3", "name = 'v3' AND team = 'a'", "team = 'zzz'",
        ]
        for filter in filters {
            for descending in [false, true] {
                let expected = try ids(fixture.service, filter, order: .createTime, descending: descending, pageSize: 100)
                for pageSize in [1, 2, 3, 100] {
                    let got = try ids(fixture.service, filter, order: .id, descending: descending, pageSize: pageSize)
                    #expect(got == expected, "\(filter) descending=\(descending) pageSize=\(pageSize)")
                }
            }
        }
        // The fixture holds both kinds of `batch` values, and bare integers match both.
        #expect(try ids(fixture.service, "batch = 3", order: .id, descending: false, pageSize: 100).count == 3)
    }

    @Test func integerFilterOnOneNumberColumnUsesIt() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m")
        for i in 0..<6 {
            try fixture.modelVersion("v\(i)", of: model.id!, custom: ["n": .int(Int64(i % 2)), "d": .double(Double(i % 3))])
        }
        for (filter, count) in [("n = 1", 3), ("n = 0", 3), ("d = 2", 2), ("d = 0", 2), ("n = 1 AND d = 1", 1)] {
            let page = try fixture.service.list(ListQuery(kinds: [.modelVersion], filterQuery: filter, pageSize: 2))
            var all = page.items
            var token = page.nextPageToken
            while !token.isEmpty {
                let next = try fixture.service.list(ListQuery(kinds: [.modelVersion], filterQuery: filter, pageSize: 2,
                                                              pageToken: token))
                all += next.items
                token = next.nextPageToken
            }
            #expect(all.count == count, "\(filter)")
            #expect(all.map(\.id!) == all.map(\.id!).sorted(), "\(filter)")
        }
    }
}
