extension KafkaConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    /// What replaces a secret's value in every description.
    public static let redactedValue = "[redacted]"

    /// Whether the value of the librdkafka property `name` is a secret that must never be
    /// printed or logged: any `*password*`, `*secret*`, `*token*` or private-key property, and
    /// every `sasl.*` property except the mechanism, the user name and Kerberos/OAuth names.
    public static func isSecretProperty(_ name: String) -> Bool {
        let lower = name.lowercased()
        for marker in ["password", "secret", "token", "ssl.key.pem", "keystore", "jaas"] where lower.contains(marker) {
            return true
        }
        if lower.hasPrefix("sasl.") {
            let harmless: Set<String> = [
                "sasl.mechanisms", "sasl.mechanism", "sasl.username", "sasl.kerberos.service.name",
                "sasl.kerberos.principal", "sasl.kerberos.kinit.cmd", "sasl.kerberos.min.time.before.relogin",
                "sasl.oauthbearer.method", "sasl.oauthbearer.client.id", "sasl.oauthbearer.scope",
                "sasl.oauthbearer.token.endpoint.url",
            ]
            return !harmless.contains(lower)
        }
        return false
    }

    /// The librdkafka properties a client of this configuration gets (producer role, which
    /// includes the connection and security settings), with every secret's value replaced by
    /// ``redactedValue``. Safe to log.
    public var redactedProperties: [(name: String, value: String)] {
        Self.redacted(librdkafkaProperties(for: .producer))
    }

    /// A one-line, secret-free description for logs and diagnostics, e.g.
    /// `bootstrap.servers=b1:9093 security.protocol=sasl_ssl sasl.mechanisms=SCRAM-SHA-512 sasl.username=svc sasl.password=[redacted]`.
    ///
    /// It shows the connection and security settings and every extra property; a secret shows
    /// as ``redactedValue`` (never its length or any part of it).
    public var redactedDescription: String {
        let connection: Set<String> = ["bootstrap.servers", "client.id", "security.protocol"]
        let shown = redactedProperties.filter { property in
            connection.contains(property.name) || property.name.hasPrefix("sasl.") || property.name.hasPrefix("ssl.")
                || properties[property.name] != nil
        }
        return shown.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }

    /// The ``redactedDescription``: printing a configuration never shows a secret.
    public var description: String { "KafkaConfiguration(\(redactedDescription))" }

    /// The ``redactedDescription``: debug printing a configuration never shows a secret.
    public var debugDescription: String { description }

    /// `list` with every secret's value replaced by ``redactedValue``.
    static func redacted(_ list: [(name: String, value: String)]) -> [(name: String, value: String)] {
        list.map { isSecretProperty($0.name) ? ($0.name, redactedValue) : $0 }
    }
}

extension KafkaConfiguration.SASL: CustomStringConvertible, CustomDebugStringConvertible {
    /// The mechanism and user name; the password shows as `[redacted]` when set.
    public var description: String {
        "SASL(mechanism: \(mechanism), username: \(username ?? "nil"), password: \(password == nil ? "nil" : KafkaConfiguration.redactedValue))"
    }
    /// Same as ``description``: no secret.
    public var debugDescription: String { description }
}

extension KafkaConfiguration.TLS: CustomStringConvertible, CustomDebugStringConvertible {
    /// The file paths and host name check; the key password shows as `[redacted]` when set.
    public var description: String {
        "TLS(caLocation: \(caLocation ?? "nil"), certificateLocation: \(certificateLocation ?? "nil"), "
            + "keyLocation: \(keyLocation ?? "nil"), keyPassword: \(keyPassword == nil ? "nil" : KafkaConfiguration.redactedValue), "
            + "verifyHostname: \(verifyHostname))"
    }
    /// Same as ``description``: no secret.
    public var debugDescription: String { description }
}

extension KafkaConfiguration.SASL: CustomReflectable {
    /// A mirror without the password, so `dump` and reflection-based printers cannot show it.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "mechanism": mechanism, "username": username as Any,
            "password": password == nil ? "nil" : KafkaConfiguration.redactedValue,
        ])
    }
}

extension KafkaConfiguration.TLS: CustomReflectable {
    /// A mirror without the key password, so `dump` and reflection-based printers cannot show it.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "caLocation": caLocation as Any, "certificateLocation": certificateLocation as Any,
            "keyLocation": keyLocation as Any,
            "keyPassword": keyPassword == nil ? "nil" : KafkaConfiguration.redactedValue,
            "verifyHostname": verifyHostname,
        ])
    }
}

extension KafkaConfiguration: CustomReflectable {
    /// A mirror whose ``properties`` show secrets as `[redacted]`, so `dump` cannot print them.
    public var customMirror: Mirror {
        var shownProperties: [String: String] = [:]
        for (name, value) in properties { shownProperties[name] = Self.isSecretProperty(name) ? Self.redactedValue : value }
        return Mirror(self, children: [
            "bootstrapServers": bootstrapServers, "clientID": clientID as Any, "groupID": groupID as Any,
            "acks": acks, "idempotence": idempotence, "compression": compression, "linger": linger as Any,
            "deliveryTimeout": deliveryTimeout as Any, "messageMaxBytes": messageMaxBytes as Any,
            "autoOffsetReset": autoOffsetReset, "partitionAssignment": partitionAssignment as Any,
            "sessionTimeout": sessionTimeout as Any, "heartbeatInterval": heartbeatInterval as Any,
            "maxPollInterval": maxPollInterval as Any, "autoCommitInterval": autoCommitInterval as Any, "fetchWait": fetchWait as Any,
            "securityProtocol": securityProtocol, "sasl": sasl as Any, "tls": tls as Any, "properties": shownProperties,
        ])
    }
}
