@testable import FastCGIServer
import XCTest

final class NginxConfigTests: XCTestCase {
    private let config = NginxConfig(
        host: "127.0.0.1", port: 18_080, socketPath: "/tmp/mr test/run/fcgi.sock",
        runDirectory: "/tmp/mr test/run", maxBodyBytes: 1_048_576, runsAsRoot: false
    )

    /// The binary's embedded template must be exactly the file in nginx/.
    func testEmbeddedTemplateMatchesTheFile() throws {
        let path = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("nginx").appendingPathComponent(NginxConfigTemplate.fileName)
        let file = try String(contentsOf: path, encoding: .utf8)
        XCTAssertEqual(file, NginxConfigTemplate.embedded, "update NginxConfigTemplate.swift from \(path.path)")
    }

    func testRenderingFillsEveryPlaceholder() throws {
        let rendered = try config.render()

        XCTAssertFalse(rendered.contains("{{"))
        XCTAssertTrue(rendered.contains("listen 127.0.0.1:18080;"))
        XCTAssertTrue(rendered.contains("fastcgi_pass $model_registry_upstream;"))
        // Without a writer socket, writes go to the workers too.
        XCTAssertEqual(rendered.components(separatedBy: #"server "unix:/tmp/mr test/run/fcgi.sock";"#).count, 3)
        XCTAssertTrue(rendered.contains(#"pid "/tmp/mr test/run/nginx.pid";"#))
        XCTAssertTrue(rendered.contains("client_max_body_size 1048576;"))
        XCTAssertFalse(rendered.contains("\nuser root;"))
        XCTAssertFalse(rendered.contains("\nfastcgi_keep_conn on"))
    }

    func testWritesGoToTheWriterSocketAndReadsToTheWorkers() throws {
        var config = config
        config.writerSocketPath = "/tmp/mr test/run/fcgi-writer.sock"
        let rendered = try config.render()
        XCTAssertTrue(rendered.contains("""
                upstream model_registry_workers {
                    server "unix:/tmp/mr test/run/fcgi.sock";
                }
                upstream model_registry_writer {
                    server "unix:/tmp/mr test/run/fcgi-writer.sock";
                }
                map $request_method $model_registry_upstream {
                    GET     model_registry_workers;
                    HEAD    model_registry_workers;
                    default model_registry_writer;
                }
            """), rendered)
        config.writerSocketPath = "/tmp/x\";evil"
        XCTAssertThrowsError(try config.render())
    }

    func testRootRunsNginxWorkersAsRoot() throws {
        var config = config
        config.runsAsRoot = true
        XCTAssertTrue(try config.render().contains("\nuser root;\n"))
    }

    func testIPv6HostsAreBracketed() throws {
        var config = config
        config.host = "::1"
        XCTAssertTrue(try config.render().contains("listen [::1]:18080;"))
    }

    func testValuesThatWouldChangeTheConfigAreRejected() {
        for (host, socket) in [("127.0.0.1; evil", "/s"), ("127.0.0.1", "/s\";evil"), ("127.0.0.1", "/$uri"), ("127.0.0.1", "/a\nb"), ("local host", "/s")] {
            var config = config
            config.host = host
            config.socketPath = socket
            XCTAssertThrowsError(try config.render(), "\(host) \(socket)")
        }
    }

    func testUnknownPlaceholdersAreAnError() {
        XCTAssertThrowsError(try config.render(template: "listen {{PORTT}};")) { error in
            XCTAssertEqual(error as? NginxConfig.RenderError, .unknownPlaceholder("PORTT"))
        }
    }

    func testCommandLineKeepsNginxInsideTheRunDirectory() {
        XCTAssertEqual(config.commandLine(configPath: "/r/nginx.conf"), ["-p", "/tmp/mr test/run", "-e", "stderr", "-c", "/r/nginx.conf"])
    }

    /// The rendered file is a valid nginx configuration (when nginx is installed).
    func testRenderedConfigPassesNginxCheck() throws {
        guard let nginx = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("nginx is not installed")
        }
        let runDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("nginx-config-test-\(getpid())")
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: runDirectory) }
        let config = NginxConfig(host: "127.0.0.1", port: 18_080, socketPath: runDirectory.path + "/fcgi.sock",
                                 runDirectory: runDirectory.path, maxBodyBytes: 1024)
        let configPath = runDirectory.appendingPathComponent("nginx.conf")
        try config.render().write(to: configPath, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-t", "-q"] + config.commandLine(configPath: configPath.path)
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, output)
    }
}
