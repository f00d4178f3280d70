// avro-codegen: writes Swift types for Avro schemas. Run by the AvroCodegenPlugin at build
// time; usable by hand too:
//
//   avro-codegen --output DIR [--index NAME.swift] FILE.avsc...
//
// Writes DIR/<file name without .avsc>.swift for every input (each named type once, in the
// file that defines it) and, with --index, a file listing every generated type.
// Exit status 1 with a message naming the file and type on any error.

import AvroCodegen
import Foundation
import SystemPackage

func fail(_ message: String) -> Never {
    _ = try? FileDescriptor.standardError.writeAll((message + "\n").utf8)  // a failed report of a failure has nowhere to go
    exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var outputDirectory: String?
var indexFile: String?
var inputs: [String] = []
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--output":
        guard !arguments.isEmpty else { fail("avro-codegen: --output needs a directory") }
        outputDirectory = arguments.removeFirst()
    case "--index":
        guard !arguments.isEmpty else { fail("avro-codegen: --index needs a file name") }
        indexFile = arguments.removeFirst()
    case "-h", "--help":
        print("usage: avro-codegen --output DIR [--index NAME.swift] FILE.avsc...")
        exit(0)
    default:
        inputs.append(argument)
    }
}
guard let outputDirectory else { fail("usage: avro-codegen --output DIR [--index NAME.swift] FILE.avsc...") }

do {
    let output = URL(fileURLWithPath: outputDirectory)
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    let generator = try SwiftCodeGenerator(files: inputs.map { URL(fileURLWithPath: $0) })
    var files = try generator.generate()
    if let indexFile { files.append(generator.index(fileName: indexFile)) }
    for file in files {
        let url = output.appendingPathComponent(file.fileName)
        // Rewrite only what changed, so unchanged outputs keep their timestamps.
        if FileManager.default.fileExists(atPath: url.path), try Data(contentsOf: url) == Data(file.source.utf8) { continue }
        try Data(file.source.utf8).write(to: url, options: .atomic)
    }
} catch {
    fail("avro-codegen: \(error)")
}
