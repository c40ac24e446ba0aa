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
    /// Each segment's bytes, nil for a `{…}` parameter. Paths are matched byte for byte: the
    /// patterns are ASCII, which has no other canonically equivalent spelling, and comparing
    /// Strings (Unicode-aware) for every route was a tenth of a point read's instructions.
    private let literals: [[UInt8]?]

    init(_ pattern: String, _ handlers: [String: Handler]) {
        self.segments = pattern.split(separator: "/")
        self.handlers = handlers
        self.literals = segments.map { $0.first == "{" ? nil : Array($0.utf8) }
    }

    /// The segment count, and the length and first byte of the first segment: equal for every
    /// path this route can match. Nil when the first segment is a parameter.
    var shapeKey: Int? {
        guard let first = literals.first, let first else { return nil }
        return Self.shapeKey(segmentCount: literals.count, first: first[...])
    }

    static func shapeKey<Bytes: Collection>(segmentCount: Int, first: Bytes) -> Int where Bytes.Element == UInt8 {
        (segmentCount << 24) | (min(first.count, 0xFFFF) << 8) | Int(first.first ?? 0)
    }

    /// The `{…}` parameters if `path` (its segments' UTF-8) matches.
    func match(_ path: [Substring.UTF8View.SubSequence]) -> [String]? {
        guard path.count == literals.count else { return nil }
        for (literal, segment) in zip(literals, path) {
            if let literal, !literal.elementsEqual(segment) { return nil }
        }
        var parameters: [String] = []
        for (literal, segment) in zip(literals, path) where literal == nil {
            parameters.append(String(Substring(segment)))
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
    /// Route indices by the shape of their first segment (see `shapeKey`), and those starting
    /// with a parameter: a lookup tries only routes that can match, in table order, instead of
    /// comparing the path with every route.
    private let routesByShape: [Int: [Int]]
    private let routesStartingWithParameter: [Int]

    init(routes: [Route]) {
        self.routes = routes
        var byShape: [Int: [Int]] = [:]
        var parameterFirst: [Int] = []
        for (index, route) in routes.enumerated() {
            if let key = route.shapeKey {
                byShape[key, default: []].append(index)
            } else {
                parameterFirst.append(index)
            }
        }
        routesByShape = byShape
        routesStartingWithParameter = parameterFirst
    }

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

    /// The prefixes' bytes, compared with the path's contiguous UTF-8 (the generic
    /// `starts(with:)` on String views walks index by index).
    private static let prefixBytes: [([UInt8], APIVersion)] = prefixes.map { (Array($0.0.utf8), $0.1) }

    private static func version(of path: String) -> (prefixLength: Int, APIVersion)? {
        let match = path.utf8.withContiguousStorageIfAvailable { bytes in
            prefixBytes.first { bytes.starts(with: $0.0) }
        } ?? prefixBytes.first { path.utf8.starts(with: $0.0) }
        return match.map { ($0.0.count, $0.1) }
    }

    func lookup(method: String, path: String) -> Lookup {
        guard let (prefixLength, version) = Self.version(of: path) else { return .notFound }
        let relative = path.utf8.dropFirst(prefixLength)
        let segments = relative.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        // Empty segments ("//", a trailing "/") never name a resource.
        guard !segments.contains(where: { $0.isEmpty }) else { return .notFound }
        var candidates = routesByShape[Route.shapeKey(segmentCount: segments.count, first: segments[0])] ?? []
        if !routesStartingWithParameter.isEmpty {
            candidates = (candidates + routesStartingWithParameter).sorted()
        }
        for index in candidates {
            let route = routes[index]
            guard let parameters = route.match(segments) else { continue }
            guard let handler = route.handlers[method] else {
                return .methodNotAllowed(allowed: route.handlers.keys.sorted())
            }
            return .found(handler, parameters: parameters, version: version)
        }
        return .notFound
    }
}
