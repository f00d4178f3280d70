import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SagaAPI
import SagaTestSupport
import Testing

/// `/console` and its files, in process: served without a token, under a policy that allows no
/// inline script and no other host, from files that load nothing from the internet.
@Suite struct ConsoleRoutesTests {
    static let tokens = AccessToken.generate(name: "routes-viewer", role: .viewer)

    static func application(_ console: ConsoleRoutes) throws -> some ApplicationProtocol {
        let builder = APIRouterBuilder(authentication: .required(try AccessTokens(parsing: tokens.entry.entry)), console: console)
        return Application(router: builder.router())
    }

    @Test func thePageAndItsFilesAreServedWithoutATokenUnderAStrictPolicy() async throws {
        let console = ConsoleRoutes()
        #expect(console.loadError == nil, "\(String(describing: console.loadError))")
        try await Self.application(console).test(.router) { client in
            let page = try await client.execute(uri: "/console", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("script-src 'self'") && policy.contains("default-src 'none'") && !policy.contains("unsafe-inline"))
            #expect(String(buffer: page.body).contains("<script type=\"module\" src=\"/console/console.js\"></script>"))
            let script = try await client.execute(uri: "/console/console.js", method: .get)
            #expect(script.status == .ok && script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.headers[.contentSecurityPolicy] == ConsoleRoutes.contentSecurityPolicy)
            let style = try await client.execute(uri: "/console/console.css", method: .get)
            #expect(style.status == .ok && style.headers[.contentType] == "text/css; charset=utf-8")

            let missing = try await client.execute(uri: "/console/missing.js", method: .get)
            #expect(missing.status == .notFound && missing.headers[.contentType] == Problem.contentType)
            #expect(String(buffer: missing.body).contains("the console has no file missing.js"))
            // The console opens no API route: those still need a token.
            let sagas = try await client.execute(uri: "/sagas", method: .get)
            #expect(sagas.status == .unauthorized)
        }
    }

    @Test func theFilesLoadNothingFromElsewhereAndRunNoInlineScript() throws {
        let assets = try ConsoleAssets.locate()
        #expect(Set(assets.files.keys).isSuperset(of: ["index.html", "console.css", "console.js", "api.js", "ui.js"]))
        for (name, file) in assets.files {
            let text = String(decoding: file.contents, as: UTF8.self)
            #expect(!text.contains("http://") && !text.contains("https://"), "\(name) names another host")
            #expect(!text.contains("innerHTML") && !text.contains("console.log"), "\(name) writes HTML or logs")
            #expect(!text.contains("style=\""), "\(name) has an inline style")
        }
        let page = String(decoding: try #require(assets.files["index.html"]).contents, as: UTF8.self)
        let scripts = page.components(separatedBy: "<script").dropFirst()
        #expect(scripts.count == 1 && scripts.allSatisfy { $0.hasPrefix(" type=\"module\" src=\"/console/") && $0.contains("></script>") })
        // Every form control of the page has a label.
        for id in ["token"] { #expect(page.contains("<label for=\"\(id)\">")) }
    }

    @Test func missingFilesAreAProblemSayingWhereTheyWereLookedFor() async throws {
        let directory = try TemporaryDirectory()
        #expect(throws: ConsoleAssets.LoadError.notInstalled(searched: [
            directory.path + "/swift-saga_SagaAPI.resources/Assets",
            (directory.path as NSString).deletingLastPathComponent + "/share/swift-saga/console",
        ])) { try ConsoleAssets.locate(executableDirectory: directory.path) }
        #expect(throws: ConsoleAssets.LoadError.notInstalled(searched: [directory.path])) { try ConsoleAssets(directory: directory.path) }
        try "<!doctype html>".write(toFile: directory.file("index.html"), atomically: true, encoding: .utf8)
        #expect(try ConsoleAssets(directory: directory.path).files.keys.sorted() == ["index.html"])

        let missing = ConsoleRoutes(executableDirectory: directory.path + "/bin")
        #expect(missing.loadError != nil)
        try await Self.application(missing).test(.router) { client in
            let page = try await client.execute(uri: "/console", method: .get)
            #expect(page.status == .internalServerError && page.headers[.contentType] == Problem.contentType)
            #expect(String(buffer: page.body).contains("the web console's files are not installed"))
        }
    }
}
