import Foundation
import JSON
import Testing
@testable import API

/// Values that must fit MLMD's `VARCHAR(255)` columns, and canonical numeric strings (found by
/// schemathesis: responses must stay inside the documented schema).
@Suite struct LimitsAPITests {
    @Test func externalIdsAndCustomPropertyNamesFit255Characters() throws {
        let registry = try TestRegistry()
        let long = String(repeating: "é", count: 256)
        let fits = String(repeating: "é", count: 255)
        let tooLongID = registry.call("POST", "/registered_models", body: #"{"name":"a","externalId":"\#(long)"}"#)
        #expect(tooLongID.status == 400)
        #expect(tooLongID["message"]?.stringValue?.contains("externalId is too long: 256 characters") == true)
        let created = registry.call("POST", "/registered_models", body: #"{"name":"b","externalId":"\#(fits)"}"#)
        #expect(created.status == 201)
        let id = created["id"]!.stringValue!
        #expect(registry.call("PATCH", "/registered_models/\(id)", body: #"{"externalId":"\#(long)"}"#).status == 400)
        let property = #"{"metadataType":"MetadataStringValue","string_value":"v"}"#
        let tooLongKey = registry.call("PATCH", "/registered_models/\(id)",
                                       body: #"{"customProperties":{"\#(long)":\#(property)}}"#)
        #expect(tooLongKey.status == 400)
        #expect(registry.call("POST", "/artifacts",
                              body: #"{"artifactType":"doc-artifact","customProperties":{"\#(long)":\#(property)}}"#).status == 400)
        #expect(registry.call("PATCH", "/registered_models/\(id)",
                              body: #"{"customProperties":{"\#(fits)":\#(property)}}"#).status == 200)
    }

    @Test func metricTimestampIsStoredCanonically() throws {
        let registry = try TestRegistry()
        let metric = registry.call("POST", "/artifacts", body: #"{"artifactType":"metric","name":"m","value":1,"timestamp":"+0070"}"#)
        #expect(metric.status == 201)
        #expect(metric["timestamp"] == .string("70"))
        #expect(registry.call("POST", "/artifacts", body: #"{"artifactType":"metric","value":1,"timestamp":"7e3"}"#).status == 400)
    }
}
