import FastCGIServer

/// Where `up` takes the nginx template from, first match wins:
/// 1. `--nginx-template` (or MODEL_REGISTRY_NGINX_TEMPLATE);
/// 2. `nginx/model-registry.conf.template` in the executable's directory or any directory
///    above it (a binary built inside the source tree, e.g. `.build/debug/model-registry`),
///    or `share/model-registry/` next to an installed `bin/`;
/// 3. `nginx/model-registry.conf.template` under the current directory;
/// 4. the copy embedded in the binary (`NginxConfigTemplate.embedded`).
/// A file lets operators adjust the config without rebuilding; the embedded copy lets an
/// installed binary run on its own.
enum NginxTemplateLocator {
    struct Template {
        let text: String
        let source: String
    }

    static func locate(explicitPath: String?, executable: String?) throws -> Template {
        if let explicitPath {
            let path = FilePaths.absolute(explicitPath)
            guard let text = FilePaths.readFile(path) else { throw FileError("cannot read the nginx template \(path)") }
            return Template(text: text, source: path)
        }
        for candidate in candidates(executable: executable) {
            if let text = FilePaths.readFile(candidate) {
                return Template(text: text, source: candidate)
            }
        }
        return Template(text: NginxConfigTemplate.embedded, source: "the copy built into the binary")
    }

    static func candidates(executable: String?) -> [String] {
        let fileName = NginxConfigTemplate.fileName
        var paths: [String] = []
        if let executable {
            var directory = FilePaths.parent(of: executable)
            paths.append(FilePaths.parent(of: directory) + "/share/model-registry/" + fileName)
            while true {
                paths.append((directory == "/" ? "" : directory) + "/nginx/" + fileName)
                let parent = FilePaths.parent(of: directory)
                if parent == directory { break }
                directory = parent
            }
        }
        paths.append(FilePaths.currentDirectory() + "/nginx/" + fileName)
        return paths
    }
}
