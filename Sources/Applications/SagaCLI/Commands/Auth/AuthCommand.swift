import ArgumentParser
import Avro
import SagaAPI

/// `sagactl auth`: bearer tokens of the HTTP API.
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Bearer tokens of the HTTP API.",
        subcommands: [AuthTokenCommand.self]
    )
}

/// `sagactl auth token --role ROLE [--name NAME]`: a new token and its `SAGA_AUTH_TOKENS` entry.
struct AuthTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make a new bearer token and print it with its SAGA_AUTH_TOKENS entry.",
        discussion: """
            The token (256 random bits) goes to whoever calls the API (SAGA_TOKEN for sagactl); the entry \
            (name:role:sha256-hex) goes into SAGA_AUTH_TOKENS of every saga-server (a Kubernetes Secret), \
            which so holds no token. The token is printed once and stored nowhere: keep it in a secret store.
            """
    )

    @Option(help: "The token's role: producer (start sagas, read their status), viewer (read everything) or operator (also retry, resolve, replay, edit).")
    var role: String
    @Option(help: "Who holds the token, as the audit trail names them (letters, digits, - _ . @).")
    var name: String?
    @Flag(help: "Print JSON: name, role, token, entry.") var json = false

    func validate() throws {
        guard APIRole(rawValue: role.lowercased()) != nil else {
            throw ValidationError("--role \(role): expected producer, viewer or operator")
        }
        if let name {
            do { _ = try AccessToken(entry: "\(name):viewer:" + String(repeating: "0", count: 64)) } catch {
                throw ValidationError("--name \(name): letters, digits, '-', '_', '.' or '@' only")
            }
        }
    }

    func run() async throws {
        let role = APIRole(rawValue: role.lowercased()) ?? .viewer
        let made = AccessToken.generate(name: name ?? "\(role)-\(String(UInt32.random(in: .min ... .max), radix: 16))", role: role)
        if json {
            StandardStreams.writeLine(JSONValue.object([
                ("name", .string(made.entry.name)), ("role", .string(role.rawValue)), ("token", .string(made.token)),
                ("entry", .string(made.entry.entry)),
            ]).prettySerialized)
        } else {
            StandardStreams.writeLine("token  \(made.token)")
            StandardStreams.writeLine("entry  \(made.entry.entry)")
            StandardStreams.writeError("sagactl: give the token to its holder (SAGA_TOKEN); add the entry to SAGA_AUTH_TOKENS (comma-separated). The token is not shown again.")
        }
    }
}
