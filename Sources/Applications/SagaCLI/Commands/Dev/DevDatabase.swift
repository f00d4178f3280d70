import Foundation
import SagaCore
import SagaPostgres
import SagaSystem

/// Where `sagactl dev` keeps the roles' data when `--database-url` (or `SAGA_DATABASE_URL`) names
/// a PostgreSQL server instead of the default SQLite files: each role in its own schema,
/// `<prefix>_<role>` with `--database-schema PREFIX`, else the role's name (as `saga-server --role all` does).
///
/// The URL keeps its password for the roles' connections only: ``description`` and every error
/// show it without.
struct DevDatabase: Sendable, CustomStringConvertible {
    /// The server and database, as given.
    let url: PostgresDatabaseURL
    /// `--database-url` exactly as given (with its password): what the roles' environment gets.
    let text: String
    /// The prefix of each role's schema, if given.
    let schemaPrefix: String?

    /// Parses `--database-url`/`SAGA_DATABASE_URL` and `--database-schema`/`SAGA_DATABASE_SCHEMA`.
    ///
    /// - Throws: a ``CLIError`` with exit status 78 (a configuration error, as `saga-server`'s)
    ///   naming what is wrong, never with the password.
    init(url text: String, schemaPrefix: String?) throws(CLIError) {
        do {
            url = try PostgresDatabaseURL(parsing: text)
        } catch {
            throw .configuration("invalid --database-url (SAGA_DATABASE_URL): \(error)")
        }
        self.text = text
        if let schemaPrefix {
            // The longest role name must still make a valid schema name with the prefix.
            let longest = Role.all.members.map { "\(schemaPrefix)_\($0.rawValue)" }.max { $0.count < $1.count } ?? schemaPrefix
            guard PostgresStoreConfiguration.isValidSchemaName(schemaPrefix), PostgresStoreConfiguration.isValidSchemaName(longest) else {
                throw .configuration("invalid --database-schema (SAGA_DATABASE_SCHEMA) '\(schemaPrefix)': expected a lower-case SQL "
                    + "identifier (letters, digits, _) short enough for '\(longest)'")
            }
        }
        self.schemaPrefix = schemaPrefix
    }

    /// The schema of `role`'s tables.
    func schema(of role: Role) -> String { schemaPrefix.map { "\($0)_\(role.rawValue)" } ?? role.rawValue }

    /// Where `role` keeps its tables.
    func configuration(of role: Role) -> PostgresStoreConfiguration {
        PostgresStoreConfiguration(url: url, schema: schema(of: role))
    }

    /// The settings of the in-process `all` role (the schema is a prefix under `all`).
    var allRoleSettings: [String: String] {
        var settings = ["SAGA_DATABASE_URL": text]
        if let schemaPrefix { settings["SAGA_DATABASE_SCHEMA"] = schemaPrefix }
        return settings
    }

    /// The settings of the single-role process of `role` (the schema is the role's own).
    func settings(of role: Role) -> [String: String] {
        ["SAGA_DATABASE_URL": text, "SAGA_DATABASE_SCHEMA": schema(of: role)]
    }

    /// Connects once and reads the orchestrator's schema without changing anything, so a wrong
    /// password, a missing database or an unreachable host stops `sagactl dev` before anything starts.
    ///
    /// - Throws: a ``CLIError`` with exit status 78 naming the server (never the password).
    func check() async throws(CLIError) {
        var configuration = configuration(of: .orchestrator)
        configuration.connectTimeout = 5
        do {
            _ = try await SagaStoreInspection.inspect(configuration)
        } catch {
            throw .configuration("cannot use the database \(url): \(error)")
        }
    }

    /// The URL without its password, and the schemas.
    var description: String {
        "\(url) (schemas \(schemaPrefix.map { "\($0)_<role>" } ?? "<role>"))"
    }
}
