import Foundation
import JSON
import Testing
@testable import API

@Suite struct RegisteredModelAPITests {
    @Test func createGetAndDefaults() throws {
        let registry = try TestRegistry()
        let created = registry.call("POST", "/registered_models", body: #"{"name":"m1","owner":"alice","language":["en","fr"]}"#)
        #expect(created.status == 201)
        #expect(created["name"] == .string("m1"))
        #expect(created["state"] == .string("LIVE"))
        #expect(created["language"] == .array([.string("en"), .string("fr")]))
        #expect(created["customProperties"] == .object([:]))
        guard case .string(let id)? = created["id"] else { Issue.record("no id"); return }
        let fetched = registry.call("GET", "/registered_models/\(id)")
        #expect(fetched.status == 200)
        #expect(fetched.json == created.json)
        let header = created.headers.first { $0.0 == "Content-Type" }?.1
        #expect(header == "application/json; charset=UTF-8")
    }

    @Test func errorsUseTheErrorShape() throws {
        let registry = try TestRegistry()
        #expect(registry.call("POST", "/registered_models", body: #"{"name":"m"}"#).status == 201)
        let duplicate = registry.call("POST", "/registered_models", body: #"{"name":"m"}"#)
        #expect(duplicate.status == 409)
        #expect(duplicate["code"] == .string("Conflict"))
        let unknown = registry.call("POST", "/registered_models", body: #"{"name":"x","ext_id":"1"}"#)
        #expect(unknown.status == 400)
        #expect(unknown["message"] == .string(#"json: unknown field "ext_id""#))
        let missing = registry.call("POST", "/registered_models", body: #"{"description":"d"}"#)
        #expect(missing.status == 422)
        #expect(missing["code"] == .string("Bad Request"))
        #expect(registry.call("POST", "/registered_models", body: "{bad").status == 400)
        #expect(registry.call("GET", "/registered_models/999").status == 404)
        #expect(registry.call("GET", "/registered_models/abc").status == 400)
        #expect(registry.call("GET", "/registered_models/99999999999").status == 400)
        #expect(registry.call("DELETE", "/registered_models/1").status == 405)
        #expect(registry.call("GET", "/nothing_here").status == 404)
        let badState = registry.call("POST", "/registered_models", body: #"{"name":"s","state":"GONE"}"#)
        #expect(badState.status == 400)
        #expect(badState["message"] == .string("GONE is not a valid RegisteredModelState"))
        let tooLong = registry.call("POST", "/registered_models", body: "{\"name\":\"\(String(repeating: "n", count: 256))\"}")
        #expect(tooLong.status == 400)
    }

    @Test func patchMergesAndReplacesCustomProperties() throws {
        let registry = try TestRegistry()
        let created = registry.call("POST", "/registered_models", body: #"""
            {"name":"m","description":"first","customProperties":{"a":{"metadataType":"MetadataIntValue","int_value":"42"},"b":{"metadataType":"MetadataBoolValue","bool_value":true}}}
            """#)
        let id = created["id"]!.stringValue!
        let kept = registry.call("PATCH", "/registered_models/\(id)", body: #"{"owner":"bob"}"#)
        #expect(kept.status == 200)
        #expect(kept["description"] == .string("first"))
        #expect(kept["owner"] == .string("bob"))
        #expect(kept["customProperties"]?["a"]?["int_value"] == .string("42"))
        #expect(kept["lastUpdateTimeSinceEpoch"] != created["lastUpdateTimeSinceEpoch"])
        let replaced = registry.call("PATCH", "/registered_models/\(id)", body: #"""
            {"state":"ARCHIVED","customProperties":{"c":{"metadataType":"MetadataDoubleValue","double_value":1.5}}}
            """#)
        #expect(replaced["state"] == .string("ARCHIVED"))
        #expect(replaced["customProperties"] == .object(["c": .object([
            "metadataType": .string("MetadataDoubleValue"), "double_value": .double(1.5)])]))
        #expect(registry.call("PATCH", "/registered_models/\(id)", body: #"{"name":"renamed"}"#).status == 400)
    }

    @Test func everyMetadataValueKindRoundTrips() throws {
        let registry = try TestRegistry()
        let structValue = "eyJhIjogWzEsICJ4Il19" // base64 of {"a": [1, "x"]}
        let created = registry.call("POST", "/registered_models", body: """
            {"name":"kinds","customProperties":{
              "i":{"metadataType":"MetadataIntValue","int_value":"-7"},
              "d":{"metadataType":"MetadataDoubleValue","double_value":2.25},
              "s":{"metadataType":"MetadataStringValue","string_value":""},
              "b":{"metadataType":"MetadataBoolValue","bool_value":false},
              "st":{"metadataType":"MetadataStructValue","struct_value":"\(structValue)"},
              "p":{"metadataType":"MetadataProtoValue","type":"type.googleapis.com/x.Y","proto_value":"AQID"}}}
            """)
        #expect(created.status == 201)
        let custom = registry.call("GET", "/registered_models/\(created["id"]!.stringValue!)")["customProperties"]
        #expect(custom?["i"]?["int_value"] == .string("-7"))
        #expect(custom?["d"]?["double_value"] == .double(2.25))
        #expect(custom?["s"]?["string_value"] == .string(""))
        #expect(custom?["b"]?["bool_value"] == .bool(false))
        #expect(custom?["p"]?["proto_value"] == .string("AQID"))
        #expect(custom?["p"]?["type"] == .string("type.googleapis.com/x.Y"))
        guard case .string(let encoded)? = custom?["st"]?["struct_value"],
              let data = Foundation.Data(base64Encoded: encoded) else { Issue.record("no struct"); return }
        #expect(try JSON.parse(Array(data)) == .object(["a": .array([.int(1), .string("x")])]))
        let bad = registry.call("POST", "/registered_models", body: #"{"name":"bad","customProperties":{"x":{"metadataType":"MetadataIntValue","int_value":"x1"}}}"#)
        #expect(bad.status == 400)
    }

    @Test func pagingFollowsUpstreamTokens() throws {
        let registry = try TestRegistry()
        for i in 0..<21 { registry.call("POST", "/registered_models", body: "{\"name\":\"m\(i)\"}") }
        var tokens: [String] = []
        var names: [String] = []
        var token = ""
        repeat {
            let page = registry.call("GET", "/registered_models", query: "pageSize=10&nextPageToken=\(token)")
            #expect(page["pageSize"] == .int(10))
            names += page.items.compactMap { $0["name"]?.stringValue }
            token = page["nextPageToken"]?.stringValue ?? "?"
            tokens.append(token)
        } while !token.isEmpty && tokens.count < 10
        #expect(tokens.count == 3)
        #expect(names == (0..<21).map { "m\($0)" })
        // An empty token restarts and yields the same first token, which ends Python's pager.
        let again = registry.call("GET", "/registered_models", query: "pageSize=10&nextPageToken=")
        #expect(again["nextPageToken"]?.stringValue == tokens[0])
        let all = registry.call("GET", "/registered_models")
        #expect(all["size"] == .int(21))
        #expect(all["pageSize"] == .int(0))
        #expect(all["nextPageToken"] == .string(""))
        let descending = registry.call("GET", "/registered_models", query: "pageSize=5&orderBy=CREATE_TIME&sortOrder=DESC")
        #expect(descending.items.first?["name"] == .string("m20"))
        #expect(registry.call("GET", "/registered_models", query: "nextPageToken=%21%21").status == 400)
        #expect(registry.call("GET", "/registered_models", query: "pageSize=abc").status == 400)
    }
}
