import JSON
import Registry

/// Upstream's probes: any path ending in `/readyz/isDirty` (liveness: the store opens and its
/// schema is current) or `/readyz/health` (readiness: the registry's types are readable).
enum Health {
    static func response(for request: Request, service: RegistryService) -> Response? {
        let check: String
        if request.path.hasSuffix("/readyz/isDirty") {
            check = "database"
        } else if request.path.hasSuffix("/readyz/health") {
            check = "model-registry"
        } else {
            return nil
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return ErrorResponse.make(status: 405, message: "method \(request.method) is not allowed on \(request.path)")
        }
        let failure = probe(check, service: service)
        let json = QueryParameters(request.query)["format"] == "json"
        if json {
            let status: JSON = .string(failure == nil ? "pass" : "fail")
            let body: JSON = .object([
                "status": status,
                "checks": .object([check: .object([
                    "Name": .string(check), "Status": status, "Message": .string(failure ?? "OK"), "Details": .object([:]),
                ])]),
            ])
            return JSONResponse.make(status: failure == nil ? 200 : 503, body)
        }
        return Response(status: failure == nil ? 200 : 503, headers: [("Content-Type", "text/plain; charset=UTF-8")],
                        body: Array((failure ?? "OK").utf8))
    }

    private static func probe(_ check: String, service: RegistryService) -> String? {
        do {
            if check == "database" {
                guard try service.store.schemaVersion() != nil else { return "the store has no schema" }
            } else {
                _ = try service.list(ListQuery(kinds: [.registeredModel], pageSize: 1))
            }
            return nil
        } catch {
            return "\(error)"
        }
    }
}
