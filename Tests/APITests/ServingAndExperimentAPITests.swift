import Foundation
import JSON
import Testing
@testable import API

@Suite struct ServingAPITests {
    @Test func servingFlow() throws {
        let registry = try TestRegistry()
        let model = registry.call("POST", "/registered_models", body: #"{"name":"m"}"#)["id"]!.stringValue!
        let v1 = registry.call("POST", "/model_versions", body: "{\"name\":\"v1\",\"registeredModelId\":\"\(model)\"}")["id"]!.stringValue!
        let v2 = registry.call("POST", "/model_versions", body: "{\"name\":\"v2\",\"registeredModelId\":\"\(model)\"}")["id"]!.stringValue!
        let env = registry.call("POST", "/serving_environments", body: #"{"name":"prod"}"#)
        #expect(env.status == 201)
        let envID = env["id"]!.stringValue!
        let service = registry.call("POST", "/serving_environments/\(envID)/inference_services",
                                    body: "{\"name\":\"svc\",\"registeredModelId\":\"\(model)\",\"runtime\":\"vllm\"}")
        #expect(service.status == 201)
        #expect(service["desiredState"] == .string("DEPLOYED"))
        #expect(service["servingEnvironmentId"] == .string(envID))
        let serviceID = service["id"]!.stringValue!
        // Unpinned: the newest version is served.
        #expect(registry.call("GET", "/inference_services/\(serviceID)/version")["id"] == .string(v2))
        #expect(registry.call("GET", "/inference_services/\(serviceID)/model")["id"] == .string(model))
        let pinned = registry.call("PATCH", "/inference_services/\(serviceID)", body: "{\"modelVersionId\":\"\(v1)\"}")
        #expect(pinned["modelVersionId"] == .string(v1))
        #expect(registry.call("GET", "/inference_services/\(serviceID)/version")["id"] == .string(v1))
        #expect(registry.call("PATCH", "/inference_services/\(serviceID)", body: #"{"modelVersionId":"9999"}"#).status == 404)
        let serve = registry.call("POST", "/inference_services/\(serviceID)/serves", body: "{\"modelVersionId\":\"\(v1)\"}")
        #expect(serve.status == 201)
        #expect(serve["lastKnownState"] == .string("UNKNOWN"))
        #expect(registry.call("GET", "/inference_services/\(serviceID)/serves")["size"] == .int(1))
        #expect(registry.call("GET", "/inference_service", query: "name=svc&parentResourceId=\(envID)")["id"] == .string(serviceID))
        #expect(registry.call("POST", "/inference_services", body: "{\"registeredModelId\":\"\(model)\",\"servingEnvironmentId\":\"4242\"}").status == 404)

        let gated = registry.call("POST", "/model_versions", body: """
            {"name":"gated","registeredModelId":"\(model)","customProperties":{"hf_gated":{"metadataType":"MetadataStringValue","string_value":"auto"}}}
            """)["id"]!.stringValue!
        #expect(registry.call("POST", "/inference_services/\(serviceID)/serves", body: "{\"modelVersionId\":\"\(gated)\"}").status == 400)
    }

    @Test func healthProbes() throws {
        let registry = try TestRegistry()
        #expect(registry.router.handle(Request(method: "GET", path: "/readyz/health")).status == 200)
        #expect(registry.router.handle(Request(method: "GET", path: "/readyz/isDirty")).status == 200)
        #expect(registry.router.handle(Request(method: "GET", path: "/")).status == 404)
    }
}

@Suite struct ExperimentAPITests {
    @Test func trackingFlow() throws {
        let registry = try TestRegistry()
        let experiment = registry.call("POST", "/experiments", body: #"{"name":"exp","owner":"me"}"#)
        #expect(experiment.status == 201)
        let experimentID = experiment["id"]!.stringValue!
        let run = registry.call("POST", "/experiment_runs", body: "{\"experimentId\":\"\(experimentID)\",\"name\":\"run1\",\"startTimeSinceEpoch\":\"100\"}")
        #expect(run.status == 201)
        #expect(run["status"] == .string("RUNNING"))
        let runID = run["id"]!.stringValue!
        #expect(registry.call("POST", "/experiment_runs", body: "{\"experimentId\":\"\(experimentID)\",\"startTimeSinceEpoch\":\"100\",\"endTimeSinceEpoch\":\"50\"}").status == 400)
        #expect(registry.call("POST", "/experiment_runs", body: #"{"experimentId":"4242"}"#).status == 404)

        for (value, step) in [(0.5, 1), (0.7, 2)] {
            let logged = registry.call("POST", "/experiment_runs/\(runID)/artifacts", body: """
                {"artifactType":"metric","name":"accuracy","value":\(value),"step":\(step),"timestamp":"0","state":"LIVE"}
                """)
            #expect(logged.status == 200)
            #expect(logged["experimentRunId"] == .string(runID))
            #expect(logged["experimentId"] == .string(experimentID))
        }
        let param = registry.call("POST", "/experiment_runs/\(runID)/artifacts", body: #"{"artifactType":"parameter","name":"lr","value":"0.1","parameterType":"number"}"#)
        #expect(param.status == 200)
        let runArtifacts = registry.call("GET", "/experiment_runs/\(runID)/artifacts")
        #expect(runArtifacts["size"] == .int(2))
        let metrics = registry.call("GET", "/artifacts", query: "artifactType=metric&filterQuery=experimentRunId%20%3D%20%22\(runID)%22")
        #expect(metrics["size"] == .int(1))
        #expect(metrics.items.first?["value"] == .double(0.7))
        let history = registry.call("GET", "/experiment_runs/\(runID)/metric_history")
        #expect(history["size"] == .int(2))
        #expect(history.items.map { $0["name"] } == [.string("accuracy"), .string("accuracy")])
        let stepTwo = registry.call("GET", "/experiment_runs/metric_history", query: "stepIds=2")
        #expect(stepTwo["size"] == .int(1))
        #expect(registry.call("GET", "/experiment_runs/metric_history", query: "stepIds=x").status == 400)
        // /v1 clients (model-registry 0.3.18) type Metric.step as a string.
        let v1History = registry.call("GET", "/experiment_runs/\(runID)/metric_history", prefix: "/api/model_registry/v1")
        #expect(v1History.items.first?["step"] == .string("1"))
        #expect(history.items.first?["step"] == .int(1))
        #expect(registry.call("GET", "/experiments/4242/experiment_runs").status == 404)
        #expect(registry.call("GET", "/experiments/\(experimentID)/experiment_runs")["size"] == .int(1))
        #expect(registry.call("GET", "/experiment_run", query: "name=run1&parentResourceId=\(experimentID)")["id"] == .string(runID))
    }

    @Test func filterQueryOnLists() throws {
        let registry = try TestRegistry()
        for (name, framework, accuracy) in [("a", "pytorch", 0.95), ("b", "sklearn", 0.8), ("c", "pytorch", 0.7)] {
            registry.call("POST", "/registered_models", body: """
                {"name":"\(name)","customProperties":{"framework":{"metadataType":"MetadataStringValue","string_value":"\(framework)"},
                 "accuracy":{"metadataType":"MetadataDoubleValue","double_value":\(accuracy)}}}
                """)
        }
        func names(_ filter: String) -> [JSON?] {
            var allowed = Foundation.CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-_.~")
            let encoded = filter.addingPercentEncoding(withAllowedCharacters: allowed)!
            return registry.call("GET", "/registered_models", query: "filterQuery=\(encoded)").items.map { $0["name"] }
        }
        #expect(names(#"framework = "pytorch" AND accuracy > 0.9"#) == [.string("a")])
        #expect(names(#"framework = "pytorch" OR framework = "sklearn""#).count == 3)
        #expect(names(#"name ILIKE "%B%""#) == [.string("b")])
        let invalid = registry.call("GET", "/registered_models", query: "filterQuery=invalid%20syntax%20%3D")
        #expect(invalid.status == 400)
        #expect(invalid["message"]?.stringValue?.hasPrefix("invalid filter query syntax") == true)
    }
}
