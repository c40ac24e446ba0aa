import Foundation

/// `GET <prefix>/openapi.yaml`: the OpenAPI document of this server (Resources/openapi.yaml).
extension Endpoints {
    var openAPIRoutes: [Route] {
        [Route("openapi.yaml", ["GET": { _ in OpenAPIDocument.response() }])]
    }
}

enum OpenAPIDocument {
    static let contentType = "application/yaml"

    /// Read once, on first use; nil when the resource bundle is not installed.
    static let bytes: [UInt8]? = load()

    static func response() -> Response {
        guard let bytes else {
            return ErrorResponse.make(status: 404, message: "the OpenAPI document is not installed with this server")
        }
        return Response(status: 200, headers: [("Content-Type", contentType)], body: bytes)
    }

    /// `Bundle.module` traps when its bundle is missing (e.g. in libmodelregistry.so inside a
    /// Python wheel), so it is touched only when a `<package>_API.resources` directory sits next
    /// to the executable, where SwiftPM puts it.
    private static func load() -> [UInt8]? {
        let directory = Bundle.main.bundleURL
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let installed = names.contains { name in
            name.hasSuffix("_API.resources")
                && FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).appendingPathComponent("openapi.yaml").path)
        }
        guard installed, let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let data = try? Data(contentsOf: url) else { return nil }
        return Array(data)
    }
}
