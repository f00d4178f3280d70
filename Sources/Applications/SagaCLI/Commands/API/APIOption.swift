import ArgumentParser
import Foundation

/// `--url URL` (env `SAGA_URL`): the HTTP API of a running system; the bearer token comes from
/// `SAGA_TOKEN` only (a command line is visible to other users of the machine).
struct APIOption: ParsableArguments {
    @Option(name: .customLong("url"), help: "The saga-server HTTP API, e.g. http://saga-api:8080 (default: env SAGA_URL); token from env SAGA_TOKEN.")
    var url: String?

    /// The API's base URL: `--url`, else `SAGA_URL`; nil when neither is set.
    func baseURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let text = url ?? environment["SAGA_URL"], !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text
    }

    /// The client of the API, or nil when no URL is set.
    func client(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SagaAPIClient? {
        guard let baseURL = baseURL(environment: environment) else { return nil }
        return try SagaAPIClient(baseURL: baseURL, token: environment["SAGA_TOKEN"])
    }
}

/// Where `status` and `sagas` read from: the API (`--url`/`SAGA_URL`) or the orchestrator's file
/// (`--store`/`SAGA_STORE`). A flag wins over the environment; of two flags, or two variables, the API.
enum SagaSource {
    case api(SagaAPIClient)
    case store(SagaStoreOption)

    static func choose(api: APIOption, store: SagaStoreOption,
                       environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SagaSource {
        if api.url == nil, store.path != nil { return .store(store) }
        if let client = try api.client(environment: environment) { return .api(client) }
        if store.path != nil || environment["SAGA_STORE"] != nil { return .store(store) }
        throw CLIError.input("no saga source: give --url URL (or SAGA_URL, with SAGA_TOKEN) for the HTTP API, or --store PATH for a local file")
    }
}
