import API
import JSON

/// Reads entities through the REST API in-process, so that the export holds exactly the JSON
/// the API returns (`API`'s encoder). Lists are paged by id; when the caller wraps the calls in
/// one read transaction on the router's connection, all pages come from one snapshot.
struct RouterReader {
    let router: Router
    var pageSize = 500
    static let prefix = "/api/model_registry/\(ExportFormat.apiVersion)"

    /// Calls `body` with each page of `items` of a list endpoint (path relative to the API prefix).
    func forEachPage(_ path: String, _ body: ([JSON]) throws -> Void) throws {
        var token = ""
        repeat {
            var query = "pageSize=\(pageSize)&orderBy=ID&sortOrder=ASC"
            if !token.isEmpty { query += "&nextPageToken=" + Self.percentEncode(token) }
            let response = router.handle(Request(method: "GET", path: Self.prefix + path, query: query))
            let json: JSON
            do {
                json = try JSON.parse(response.body)
            } catch {
                throw AdminError.failed("GET \(path) returned a body that is not JSON: \(error)")
            }
            guard response.status == 200 else {
                let message = json["message"]?.stringValue ?? "status \(response.status)"
                throw AdminError.failed("GET \(path) failed with status \(response.status): \(message)")
            }
            guard case .array(let items)? = json["items"], case .string(let next)? = json["nextPageToken"] else {
                throw AdminError.failed("GET \(path) returned an unexpected list shape")
            }
            try body(items)
            token = next
        } while !token.isEmpty
    }

    static func percentEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                result.append(Character(UnicodeScalar(byte)))
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }
}
