// The saga contracts as Swift types.
//
// Every type of this module except this file's is generated at build time by the
// AvroCodegenPlugin from the package's `schemas/*.avsc` (see schemas/README.md for the
// messages, topics and headers). Change a contract by editing its schema; the next build
// regenerates the Swift code. `AvroGeneratedTypes.all` lists every generated type.

import Avro

/// Facts about the contracts that are not in the schemas themselves.
public enum SagaContracts {
    /// The Kafka `content-type` header value of single-object encoded Avro values.
    public static let singleObjectContentType = "application/vnd.apache.avro+binary; single-object"
    /// The Kafka `content-type` header value of Confluent-framed Avro values.
    public static let confluentContentType = "application/vnd.apache.avro+binary; confluent"
}
