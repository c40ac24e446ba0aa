import Foundation
import JSON
import MLMD
import Testing
@testable import Registry

/// Ten registered models with create/update times full of ties, set directly in the store.
private func fixtureWithTies() throws -> (RegistryFixture, [Entity]) {
    let fixture = try RegistryFixture()
    let createTimes: [Int64] = [500, 100, 300, 100, 300, 300, 200, 100, 500, 400]
    let updateTimes: [Int64] = [900, 900, 700, 800, 700, 600, 900, 600, 600, 950]
    for i in 0..<createTimes.count {
        let model = try fixture.registeredModel(String(format: "model-%02d", i))
        try fixture.setTimes(.context, id: model.id!, create: createTimes[i], update: updateTimes[i])
    }
    let all = try fixture.service.list(ListQuery(kinds: [.registeredModel])).items
    #expect(all.count == createTimes.count)
    return (fixture, all)
}

/// The order the service must produce: by the field, then by id, both in the same direction.
private func expectedOrder(_ items: [Entity], by field: OrderField, descending: Bool) -> [Int64] {
    func key(_ e: Entity) -> Int64 {
        switch field {
        case .id: return e.id!
        case .createTime: return e.createTime!
        case .lastUpdateTime: return e.updateTime!
        }
    }
    let sorted = items.sorted { key($0) != key($1) ? key($0) < key($1) : $0.id! < $1.id! }
    return (descending ? sorted.reversed() : sorted).map { $0.id! }
}

/// Follows next-page tokens to the end and returns every page.
private func allPages(_ service: RegistryService, _ base: ListQuery) throws -> [Page] {
    var pages: [Page] = []
    var query = base
    while true {
        let page = try service.list(query)
        pages.append(page)
        if page.nextPageToken.isEmpty || pages.count > 100 { return pages }
        query.pageToken = page.nextPageToken
    }
}

private let orderCases: [(OrderField, Bool)] = [
    (.id, false), (.id, true), (.createTime, false), (.createTime, true), (.lastUpdateTime, false), (.lastUpdateTime, true),
]

@Suite struct ServicePagingTests {
    @Test(arguments: [OrderField.id, .createTime, .lastUpdateTime], [false, true])
    func everyOrderPagesThroughEveryRowOnce(field: OrderField, descending: Bool) throws {
        let (fixture, all) = try fixtureWithTies()
        let expected = expectedOrder(all, by: field, descending: descending)
        let whole = try fixture.service.list(ListQuery(kinds: [.registeredModel], orderBy: field, descending: descending))
        #expect(whole.items.map(\.id!) == expected, "one page")
        for pageSize in 1...11 {
            let pages = try allPages(fixture.service, ListQuery(kinds: [.registeredModel], pageSize: pageSize,
                                                                orderBy: field, descending: descending))
            #expect(pages.flatMap { $0.items.map(\.id!) } == expected, "pageSize \(pageSize)")
            #expect(pages.dropLast().allSatisfy { $0.items.count == pageSize && !$0.nextPageToken.isEmpty })
            #expect(pages.last?.nextPageToken == "")
            #expect(pages.allSatisfy { $0.pageSize == pageSize })
            #expect(pages.count == max(1, (expected.count + pageSize - 1) / pageSize))
        }
    }

    @Test func tokensAreDeterministicAndEncodeTheCursor() throws {
        let (fixture, _) = try fixtureWithTies()
        for (field, descending) in orderCases {
            let query = ListQuery(kinds: [.registeredModel], pageSize: 3, orderBy: field, descending: descending)
            let first = try fixture.service.list(query)
            let again = try fixture.service.list(query)
            #expect(first.nextPageToken == again.nextPageToken)
            #expect(first.items == again.items)
            // An empty token means "from the beginning", as the Python pager relies on.
            var restart = query
            restart.pageToken = ""
            #expect(try fixture.service.list(restart).nextPageToken == first.nextPageToken)
            // The token is upstream's base64("<lastId>:<order value>").
            let last = try #require(first.items.last)
            let value: Int64
            switch field {
            case .id: value = last.id!
            case .createTime: value = last.createTime!
            case .lastUpdateTime: value = last.updateTime!
            }
            #expect(first.nextPageToken == Data("\(last.id!):\(value)".utf8).base64EncodedString())
            #expect(try PageToken(decoding: first.nextPageToken) == PageToken(lastID: last.id!, orderValue: value))
        }
    }

    @Test func invalidTokensAreBadRequests() throws {
        let fixture = try RegistryFixture()
        for token in ["not base64!", Data("no-colon".utf8).base64EncodedString(), Data("a:1".utf8).base64EncodedString(),
                      Data("1:b".utf8).base64EncodedString(), String(repeating: "A", count: 2000)] {
            #expect(throwsRegistryError(\.isBadRequest) {
                _ = try fixture.service.list(ListQuery(kinds: [.registeredModel], pageSize: 1, pageToken: token))
            }, "\(token.prefix(20))")
        }
    }

    @Test func theServerMaximumCapsEveryPage() throws {
        let fixture = try RegistryFixture()
        for i in 0..<5 { try fixture.registeredModel("m\(i)") }
        fixture.service.maxPageSize = 2
        let unbounded = try fixture.service.list(ListQuery(kinds: [.registeredModel]))
        #expect(unbounded.items.count == 2)
        #expect(!unbounded.nextPageToken.isEmpty)
        #expect(unbounded.pageSize == 0)
        let asked = try fixture.service.list(ListQuery(kinds: [.registeredModel], pageSize: 50))
        #expect(asked.items.count == 2)
        #expect(asked.pageSize == 50)
        let pages = try allPages(fixture.service, ListQuery(kinds: [.registeredModel]))
        #expect(pages.flatMap { $0.items.map(\.name!) } == ["m0", "m1", "m2", "m3", "m4"])
    }

    @Test func exactlyOneFullPageHasNoNextToken() throws {
        let fixture = try RegistryFixture()
        for i in 0..<3 { try fixture.registeredModel("m\(i)") }
        let page = try fixture.service.list(ListQuery(kinds: [.registeredModel], pageSize: 3))
        #expect(page.items.count == 3)
        #expect(page.nextPageToken == "")
        let empty = try fixture.service.list(ListQuery(kinds: [.modelVersion], pageSize: 3))
        #expect(empty.items.isEmpty && empty.nextPageToken == "")
    }

    @Test func pagingUnderAnOwnerAndWithAFilter() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m")
        let other = try fixture.registeredModel("other")
        var ids: [Int64] = []
        for i in 0..<7 {
            ids.append(try fixture.modelVersion("v\(i)", of: model.id!, fields: ["author": .string(i.isMultiple(of: 2) ? "even" : "odd")]).id!)
            try fixture.modelVersion("v\(i)", of: other.id!)
        }
        let pages = try allPages(fixture.service, ListQuery(kinds: [.modelVersion], owner: (model.id!, .parentContext),
                                                            pageSize: 2, orderBy: .createTime, descending: true))
        #expect(pages.flatMap { $0.items.map(\.id!) } == ids.reversed())
        let filtered = try allPages(fixture.service, ListQuery(kinds: [.modelVersion], owner: (model.id!, .parentContext),
                                                               filterQuery: "author = 'even'", pageSize: 2))
        #expect(filtered.flatMap { $0.items.map(\.id!) } == [ids[0], ids[2], ids[4], ids[6]])
        #expect(throwsRegistryError(\.isBadRequest) {
            _ = try fixture.service.list(ListQuery(kinds: [.modelVersion], filterQuery: "author = "))
        })
    }

    @Test func rowsAddedBetweenPagesDoNotShiftTheCursor() throws {
        let fixture = try RegistryFixture()
        for i in 0..<4 { try fixture.registeredModel("m\(i)") }
        let first = try fixture.service.list(ListQuery(kinds: [.registeredModel], pageSize: 2))
        try fixture.registeredModel("late")
        let second = try fixture.service.list(ListQuery(kinds: [.registeredModel], pageSize: 2, pageToken: first.nextPageToken))
        #expect(first.items.map(\.name!) == ["m0", "m1"])
        #expect(second.items.map(\.name!) == ["m2", "m3"])
    }
}
