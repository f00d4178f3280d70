import Foundation
import SagaSystem
import Subprocess
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
    func manifestsSetOnlyKnownVariables() async throws {
        // PyYAML from scripts/validate-deployments (scripts/test runs it before the Swift tests).
        let tools = Self.root.appendingPathComponent(".deps/python/deploy-tools/lint")
        try #require(FileManager.default.fileExists(atPath: tools.path),
                     "run ./scripts/validate-deployments first: it installs the checker's PyYAML into \(tools.path)")
        // swift-subprocess: stdin written and output read concurrently, signals cannot break the reads.
        let result = try await Subprocess.run(
            .name("python3"), arguments: [Self.root.appendingPathComponent("scripts/check_env_names.py").path, "-"],
            environment: .inherit.updating(["PYTHONPATH": tools.path]),
            input: .string(SagaServerSettings.environmentVariableNames.joined(separator: "\n")),
            output: .string(limit: 64 << 20), error: .string(limit: 64 << 20)
        )
        let report = result.standardOutput + result.standardError
        #expect(result.terminationStatus == .exited(0), "\(report)")
    }
}
