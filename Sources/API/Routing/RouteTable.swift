import Registry

/// What a handler gets: the request, its decoded query, the `{id}`s of its path and the API
/// version it was called on.
struct RequestContext {
    var request: Request
    var query: QueryParameters
    var pathParameters: [String]
    var version: APIVersion

    var body: [UInt8] { request.body }
}

typealias Handler = (RequestContext) throws -> Response

/// A path pattern such as `registered_models/{id}/versions`, relative to the API prefix.
struct Route {
    let segments: [Substring]
    let handlers: [String: Handler]

    init(_ pattern: String, _ handlers: [String: Handler]) {
        self.segments = pattern.split(separator: "/")
        self.handlers = handlers
    }

    /// The `{…}` parameters if `path` matches.
    func match(_ path: [Substring]) -> [String]? {
        guard path.count == segments.count else { return nil }
        var parameters: [String] = []
        for (pattern, segment) in zip(segments, path) {
            if pattern.first == "{" {
                parameters.append(String(segment))
            } else if pattern != segment {
                return nil
            }
        }
        return parameters
    }
}

/// Finds the route for a path and the handler for a method.
struct RouteTable {
    static let prefixes: [(String, APIVersion)] = [
        ("/api/model_registry/v1alpha3/", .v1alpha3),
        ("/api/model_registry/v1/", .v1),
    ]

    let routes: [Route]

    /// Every (pattern, method) served, e.g. `("registered_models/{id}", "GET")`; tests compare
    /// them with the OpenAPI document.
    var operations: [(path: String, method: String)] {
        routes.flatMap { route in
            route.handlers.keys.map { (route.segments.joined(separator: "/"), $0) }
        }
    }

    enum Lookup {
        case found(Handler, parameters: [String], version: APIVersion)
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    func lookup(method: String, path: String) -> Lookup {
        guard let (prefix, version) = Self.prefixes.first(where: { path.hasPrefix($0.0) }) else { return .notFound }
        let relative = path.dropFirst(prefix.count)
        let segments = relative.split(separator: "/", omittingEmptySubsequences: false)
        // Empty segments ("//", a trailing "/") never name a resource.
        guard !segments.contains(where: \.isEmpty) else { return .notFound }
        for route in routes {
            guard let parameters = route.match(segments) else { continue }
            guard let handler = route.handlers[method] else {
                return .methodNotAllowed(allowed: route.handlers.keys.sorted())
            }
            return .found(handler, parameters: parameters, version: version)
        }
        return .notFound
    }
}
