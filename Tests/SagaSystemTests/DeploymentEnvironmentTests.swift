import Foundation
import SagaSystem
import Testing

/// The deployment files (docker-compose.yml, deployments/Dockerfile, deployments/k8s) may set only
/// environment variables saga-server reads. scripts/check_env_names.py checks the files against a
/// list of names; these tests give it the executable's own list and keep deployments/settings.txt
/// (the list scripts/validate-deployments uses without a built executable) equal to it.
/// Part of the SagaSystemTests target (it needs `SagaServerSettings.environmentVariableNames`).
@Suite("Deployment environment variables")
struct DeploymentEnvironmentTests {
    /// The repository root: this file is Tests/<target>/<file>.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("deployments/settings.txt lists exactly the variables saga-server reads")
    func settingsFileMatchesTheExecutable() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("deployments/settings.txt"), encoding: .utf8)
        let listed = text.split(separator: "\n", omittingEmptySubsequences: true).compactMap { line -> String? in
            let name = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .trimmingCharacters(in: .whitespaces)
            return name.isEmpty ? nil : name
        }
        let read = Set(SagaServerSettings.environmentVariableNames)
        #expect(Set(listed) == read, """
            deployments/settings.txt lacks \(read.subtracting(listed).sorted()) \
            and lists \(Set(listed).subtracting(read).sorted()), which saga-server does not read
            """)
        #expect(listed.count == Set(listed).count, "a name is listed twice")
    }

    @Test("compose, Dockerfile and Kubernetes manifests set only variables saga-server reads")
    func manifestsSetOnlyKnownVariables() throws {
        // PyYAML from scripts/validate-deployments (scripts/test runs it before the Swift tests).
        let tools = Self.root.appendingPathComponent(".deps/python/deploy-tools/lint")
        try #require(FileManager.default.fileExists(atPath: tools.path),
                     "run ./scripts/validate-deployments first: it installs the checker's PyYAML into \(tools.path)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.root.appendingPathComponent("scripts/check_env_names.py").path, "-"]
        process.environment = ProcessInfo.processInfo.environment.merging(["PYTHONPATH": tools.path]) { $1 }
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(SagaServerSettings.environmentVariableNames.joined(separator: "\n").utf8))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(report)")
    }
}
