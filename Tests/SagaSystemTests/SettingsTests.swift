import ArgumentParser
import Foundation
import Kafka
import SagaAPI
import SagaCore
import SagaSystem
import Testing

@Suite struct SettingsTests {
    /// A real token entry (only its hash is configured).
    static let token = AccessToken.generate(name: "ops", role: .operator)
    static let minimal = ["SAGA_ROLE": "payment", "KAFKA_BOOTSTRAP_SERVERS": "k1:9092, k2:9092", "SAGA_AUTH_TOKENS": token.entry.entry]

    @Test func defaultsApplyWhenOnlyTheRequiredSettingsAreGiven() throws {
        let settings = try SagaServerSettings(environment: Self.minimal)
        #expect(settings.role == .payment)
        #expect(settings.kafka.bootstrapServers == ["k1:9092", "k2:9092"])
        #expect(settings.dataDirectory == "./data")
        #expect(settings.databasePath(for: .payment) == URL(fileURLWithPath: "./data/payment.sqlite").path)
        #expect(settings.consumerGroup(for: .payment) == "saga-payment")
        #expect(settings.topics.orderPlaced == "order.placed")
        #expect(settings.httpHost == "0.0.0.0")
        #expect(settings.httpPort == 8080)
        #expect(settings.stepTimeout == .seconds(30))
        #expect(settings.stepMaxAttempts == 5)
        #expect(settings.timelineRetention == .all)
        #expect(settings.lifecycleEvents == .all)
        #expect(settings.relayLimits == .default)
        #expect(settings.finishedSagaRetention == nil)
        #expect(settings.paymentLimitMinor == 500_000)
        #expect(settings.notificationWebhookURL == nil)
        #expect(settings.seedDemoData == false)
        #expect(settings.shutdownTimeout == .seconds(30))
        #expect(settings.logLevel == .info)
        #expect(settings.logFormat == .json)
        #expect(settings.otlpEndpoint == nil)
        #expect(settings.otelServiceName == "saga-payment")
    }

    @Test func everySettingIsReadFromTheEnvironment() throws {
        let settings = try SagaServerSettings(environment: [
            "SAGA_ROLE": "API", "KAFKA_BOOTSTRAP_SERVERS": "b:1", "SAGA_DATA_DIR": "/var/saga",
            "SAGA_TOPIC_PREFIX": "dev.", "SAGA_CONSUMER_GROUP_PREFIX": "g-", "SAGA_HTTP_HOST": "127.0.0.1", "SAGA_HTTP_PORT": "0",
            "SAGA_ORDER_URL": "http://order:8080", "SAGA_ORCHESTRATOR_URL": "https://orchestrator:8443/base",
            "SAGA_STEP_TIMEOUT_SECONDS": "7", "SAGA_STEP_MAX_ATTEMPTS": "9", "SAGA_PAYMENT_LIMIT_MINOR": "123", "SAGA_TIMELINE_MESSAGES": "None",
            "SAGA_LIFECYCLE_EVENTS": "Terminal", "SAGA_FINISHED_SAGA_RETENTION_DAYS": "30",
            "SAGA_RELAY_BATCH_SIZE": "50", "SAGA_RELAY_BATCHES_IN_FLIGHT": "4",
            "SAGA_NOTIFICATION_WEBHOOK_URL": "http://hooks:9000/n", "SAGA_SEED_DEMO_DATA": "yes",
            "SAGA_SHUTDOWN_TIMEOUT_SECONDS": "4", "SAGA_LOG_LEVEL": "DEBUG", "SAGA_LOG_FORMAT": "text",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4317", "OTEL_SERVICE_NAME": "gateway", "SAGA_AUTH_DISABLED": "true",
        ])
        #expect(settings.authentication == .disabled)
        #expect(settings.role == .api)
        #expect(settings.databasePath(for: .order) == "/var/saga/order.sqlite")
        #expect(settings.topics.transferRequested == "dev.transfer.requested")
        #expect(settings.consumerGroup(for: .orchestrator) == "g-orchestrator")
        #expect(settings.httpHost == "127.0.0.1")
        #expect(settings.httpPort == 0)
        #expect(settings.orderURL?.absoluteString == "http://order:8080")
        #expect(settings.orchestratorURL?.absoluteString == "https://orchestrator:8443/base")
        #expect(settings.stepTimeout == .seconds(7))
        #expect(settings.stepMaxAttempts == 9)
        #expect(settings.stepRetry.maxAttempts == 9)
        #expect(settings.afterPivotRetry.maxAttempts == 20)
        #expect(settings.paymentLimitMinor == 123)
        #expect(settings.timelineRetention == SagaTimelineRetention.none)
        #expect(settings.lifecycleEvents == .terminal)
        #expect(settings.relayLimits == OutboxRelayLimits(batchSize: 50, batchesInFlight: 4))
        #expect(settings.finishedSagaRetention == .seconds(30 * 86_400))
        #expect(settings.notificationWebhookURL?.absoluteString == "http://hooks:9000/n")
        #expect(settings.seedDemoData)
        #expect(settings.shutdownTimeout == .seconds(4))
        #expect(settings.logLevel == .debug)
        #expect(settings.logFormat == .text)
        #expect(settings.otlpEndpoint == "http://otel:4317")
        #expect(settings.otelServiceName == "gateway")
    }

    @Test func flagsWinOverTheEnvironment() throws {
        let options = try SagaServerOptions.parse(["--role", "order", "--http-port", "9191", "--database-path", "/tmp/o.sqlite"])
        let settings = try SagaServerSettings(environment: Self.minimal.merging(["SAGA_HTTP_PORT": "1"]) { $1 },
            overrides: options.overrides)
        #expect(settings.role == .order)
        #expect(settings.httpPort == 9191)
        #expect(settings.databasePath(for: .order) == "/tmp/o.sqlite")
    }

    @Test func everyDocumentedSettingHasItsFlag() throws {
        for descriptor in SagaServerSettings.descriptors {
            let options = try SagaServerOptions.parse(["--\(descriptor.flag)", "value-of-\(descriptor.name)"])
            #expect(options.overrides == [descriptor.name: "value-of-\(descriptor.name)"], "flag --\(descriptor.flag)")
        }
        #expect(Set(SagaServerSettings.environmentVariableNames).count == SagaServerSettings.environmentVariableNames.count)
    }

    @Test(arguments: [
        (["SAGA_ROLE": "payments"], SagaServerSettingsError.invalid(name: "SAGA_ROLE", flag: "role", value: "payments",
            expected: "orchestrator, order, inventory, payment, account, notification, api, all")),
        ([:], .missing(name: "SAGA_ROLE", flag: "role",
            hint: "one of orchestrator, order, inventory, payment, account, notification, api, all")),
        (["SAGA_HTTP_PORT": "70000"], .invalid(name: "SAGA_HTTP_PORT", flag: "http-port", value: "70000",
            expected: "an integer from 0 to 65535")),
        (["SAGA_HTTP_PORT": "eighty"], .invalid(name: "SAGA_HTTP_PORT", flag: "http-port", value: "eighty",
            expected: "an integer from 0 to 65535")),
        (["KAFKA_BOOTSTRAP_SERVERS": " , "], .missing(name: "KAFKA_BOOTSTRAP_SERVERS", flag: "bootstrap-servers",
            hint: "a comma-separated host:port list")),
        (["SAGA_STEP_MAX_ATTEMPTS": "0"], .invalid(name: "SAGA_STEP_MAX_ATTEMPTS", flag: "step-max-attempts", value: "0",
            expected: "an integer from 1 to 1000")),
        (["SAGA_SEED_DEMO_DATA": "maybe"], .invalid(name: "SAGA_SEED_DEMO_DATA", flag: "seed-demo-data", value: "maybe",
            expected: "true or false")),
        (["SAGA_LOG_FORMAT": "xml"], .invalid(name: "SAGA_LOG_FORMAT", flag: "log-format", value: "xml", expected: "json or text")),
        (["SAGA_TIMELINE_MESSAGES": "some"],
            .invalid(name: "SAGA_TIMELINE_MESSAGES", flag: "timeline-messages", value: "some", expected: "all or none")),
        (["SAGA_FINISHED_SAGA_RETENTION_DAYS": "-1"], .invalid(name: "SAGA_FINISHED_SAGA_RETENTION_DAYS",
            flag: "finished-saga-retention-days", value: "-1", expected: "an integer from 0 to 36500")),
        (["SAGA_RELAY_BATCH_SIZE": "0"], .invalid(name: "SAGA_RELAY_BATCH_SIZE", flag: "relay-batch-size", value: "0",
            expected: "an integer from 1 to 100000")),
        (["SAGA_RELAY_BATCHES_IN_FLIGHT": "many"], .invalid(name: "SAGA_RELAY_BATCHES_IN_FLIGHT", flag: "relay-batches-in-flight",
            value: "many", expected: "an integer from 1 to 64")),
        (["SAGA_LIFECYCLE_EVENTS": "ends"],
            .invalid(name: "SAGA_LIFECYCLE_EVENTS", flag: "lifecycle-events", value: "ends", expected: "all, terminal or none")),
        (["SAGA_NOTIFICATION_WEBHOOK_URL": "hooks:9000"], .invalid(name: "SAGA_NOTIFICATION_WEBHOOK_URL",
            flag: "notification-webhook-url", value: "hooks:9000", expected: "an http(s) URL such as http://host:8080")),
        (["SAGA_ROLE": "api"], .missing(name: "SAGA_ORDER_URL", flag: "order-url", hint: "the api role forwards orders to it")),
        (["SAGA_ROLE": "api", "SAGA_ORDER_URL": "http://o:1"], .missing(name: "SAGA_ORCHESTRATOR_URL", flag: "orchestrator-url",
            hint: "the api role forwards saga queries to it")),
        (["SAGA_AUTH_TOKENS": " "], .missing(name: "SAGA_AUTH_TOKENS", flag: "auth-tokens",
            hint: "the HTTP API needs bearer tokens: comma-separated name:role:sha256-hex entries (`sagactl auth token --role operator` makes one); "
                + "SAGA_AUTH_DISABLED=true (--auth-disabled) serves it without, for local experiments only")),
        (["SAGA_AUTH_DISABLED": "sure"], .invalid(name: "SAGA_AUTH_DISABLED", flag: "auth-disabled", value: "sure", expected: "true or false")),
        (["SAGA_ROLE": "all", "SAGA_DATABASE_PATH": "x.sqlite"],
            .conflict("SAGA_DATABASE_PATH names one role's database; role all uses SAGA_DATA_DIR")),
    ] as [([String: String], SagaServerSettingsError)])
    func invalidSettingsFailWithAnErrorNamingThem(changes: [String: String], expected: SagaServerSettingsError) throws {
        var environment = Self.minimal
        if changes.isEmpty { environment["SAGA_ROLE"] = nil }
        environment.merge(changes) { $1 }
        #expect(throws: expected) { try SagaServerSettings(environment: environment) }
        #expect(expected.description.contains(expected.variable))
    }

    @Test func brokerSettingsAreReadByTheKafkaModuleAndSecretsAreRedacted() throws {
        let settings = try SagaServerSettings(environment: Self.minimal.merging([
            "KAFKA_SECURITY_PROTOCOL": "sasl_plaintext", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_SASL_USERNAME": "svc", "KAFKA_SASL_PASSWORD": "s3cr3t-value",
        ]) { $1 })
        #expect(settings.kafka.securityProtocol == .saslPlaintext)
        #expect(settings.kafka.sasl?.mechanism == "SCRAM-SHA-512")
        #expect(settings.kafka.sasl?.password == "s3cr3t-value")
        #expect(settings.kafka.clientID == "saga-payment")
        #expect(settings.kafka.sessionTimeout == .seconds(10))
        #expect(!settings.redactedDescription.contains("s3cr3t-value"))
        #expect(settings.redactedDescription.contains("KAFKA_SASL_PASSWORD=\(KafkaConfiguration.redactedValue)"))
        #expect(settings.redactedDescription.contains("KAFKA_SASL_USERNAME=svc"))
        #expect(Set(SagaServerSettings.environmentVariableNames).isSuperset(of: KafkaConfiguration.environmentVariableNames))
    }

    @Test func theProducersLingerIsASettingAndAFlag() throws {
        #expect(try SagaServerSettings(environment: Self.minimal).kafka.linger == nil)  // librdkafka's 5 ms
        let settings = try SagaServerSettings(environment: Self.minimal.merging(["KAFKA_LINGER_MS": "20"]) { $1 })
        #expect(settings.kafka.linger == .milliseconds(20))
        #expect(try SagaServerOptions.parse(["--linger-ms", "15"]).overrides["KAFKA_LINGER_MS"] == "15")
        do {
            _ = try SagaServerSettings(environment: Self.minimal.merging(["KAFKA_LINGER_MS": "soon"]) { $1 })
            Issue.record("a linger that is not a number was accepted")
        } catch {
            guard case .broker(let name, let flag, let reason) = error else { throw error }
            #expect(name == "KAFKA_LINGER_MS")
            #expect(flag == "linger-ms")
            #expect(reason.contains("\"soon\""))
        }
    }

    @Test func invalidBrokerSettingsFailBeforeAnyConnectionNamingTheVariable() throws {
        let environment = Self.minimal.merging(["KAFKA_SASL_USERNAME": "svc", "KAFKA_SASL_PASSWORD": "s3cr3t-value"]) { $1 }
        do {
            _ = try SagaServerSettings(environment: environment)
            Issue.record("credentials without a mechanism were accepted")
        } catch {
            guard case .broker(let name, let flag, let reason) = error else { throw error }
            #expect(name == "KAFKA_SASL_MECHANISM")
            #expect(flag == "sasl-mechanism")
            #expect(!reason.contains("s3cr3t-value"))
        }
        #expect(throws: SagaServerSettingsError.self) {
            try SagaServerSettings(environment: Self.minimal.merging(["KAFKA_SECURITY_PROTOCOL": "tls"]) { $1 })
        }
    }

    @Test func theTokensAreRequiredUnlessAuthenticationIsDisabledExplicitlyAndNeverShown() throws {
        let settings = try SagaServerSettings(environment: Self.minimal)
        #expect(settings.authentication == .required(try AccessTokens([Self.token.entry])))
        #expect(!settings.redactedDescription.contains(Self.token.entry.entry))
        #expect(settings.redactedDescription.contains("SAGA_AUTH_TOKENS=\(KafkaConfiguration.redactedValue)"))

        var disabled = Self.minimal
        disabled["SAGA_AUTH_TOKENS"] = nil
        disabled["SAGA_AUTH_DISABLED"] = "true"
        #expect(try SagaServerSettings(environment: disabled).authentication == .disabled)
        #expect(throws: SagaServerSettingsError.conflict("SAGA_AUTH_TOKENS is set and SAGA_AUTH_DISABLED=true; unset one of them")) {
            try SagaServerSettings(environment: Self.minimal, overrides: ["SAGA_AUTH_DISABLED": "true"])
        }
        // A token pasted where its entry belongs: refused, and the message does not repeat it.
        do {
            _ = try SagaServerSettings(environment: Self.minimal, overrides: ["SAGA_AUTH_TOKENS": "ops:operator:\(Self.token.token)"])
            Issue.record("a token in place of its hash was accepted")
        } catch {
            guard case .invalid(let name, _, let value, let expected) = error else { throw error }
            #expect(name == "SAGA_AUTH_TOKENS" && value == KafkaConfiguration.redactedValue)
            #expect(!expected.contains(Self.token.token) && !error.description.contains(Self.token.token), "\(error)")
        }
    }

    @Test func theConfigurationDocumentListsExactlyTheVariablesRead() throws {
        let document = try String(contentsOf: Self.packageDirectory.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let rows = document.split(separator: "\n").filter { $0.hasPrefix("| `") }
        let documented = rows.compactMap { row -> (String, String)? in
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else { return nil }
            return (cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`")), cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")))
        }
        #expect(documented.map(\.0) == SagaServerSettings.environmentVariableNames)
        #expect(documented.map(\.1) == SagaServerSettings.descriptors.map { "--\($0.flag)" })
    }

    static let packageDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

extension SagaServerSettingsError {
    /// The variable the error names (for the message check).
    var variable: String {
        switch self {
        case .missing(let name, _, _), .invalid(let name, _, _, _): return name
        case .broker(let name, _, _): return name
        case .conflict: return "SAGA_DATABASE_PATH"
        }
    }
}
