import Foundation
import PackagePlugin

/// Generates Swift types from Avro schemas at build time.
///
/// The schemas are the `.avsc` files of the target's own directory (and its subdirectories)
/// or, when it has none, of the package's `schemas/` directory: the project's single source
/// of the contracts, which SagaContracts uses. Every schema is an input of the build command,
/// so editing one regenerates the code on the next build; the plugin itself is asked for its
/// commands on every build, so a file added to `schemas/` is picked up too.
/// Outputs: one `<schema file name>.swift` per schema plus `AvroGeneratedTypes.swift`.
@main
struct AvroCodegenPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        var schemas: [URL] = []
        if let module = target as? SourceModuleTarget {
            schemas = module.sourceFiles.filter { $0.url.pathExtension == "avsc" }.map(\.url)
        }
        if schemas.isEmpty {
            schemas = try avscFiles(in: context.package.directoryURL.appending(path: "schemas"))
        }
        schemas.sort { $0.lastPathComponent < $1.lastPathComponent }
        guard !schemas.isEmpty else { return [] }

        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let index = "AvroGeneratedTypes.swift"
        let outputs = schemas.map {
            output.appending(path: $0.deletingPathExtension().lastPathComponent + ".swift")
        } + [output.appending(path: index)]
        return [
            .buildCommand(
                displayName: "Generating Swift types from \(schemas.count) Avro schema(s)",
                executable: try context.tool(named: "avro-codegen").url,
                arguments: ["--output", output.path(percentEncoded: false), "--index", index]
                    + schemas.map { $0.path(percentEncoded: false) },
                inputFiles: schemas,
                outputFiles: outputs
            )
        ]
    }

    /// The `.avsc` files directly in `directory`; none when it does not exist.
    private func avscFiles(in directory: URL) throws -> [URL] {
        let path = directory.path(percentEncoded: false)
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        return names.filter { $0.hasSuffix(".avsc") }.map { directory.appending(path: $0) }
    }
}
