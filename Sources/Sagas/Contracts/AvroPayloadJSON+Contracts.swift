import Avro
import SagaAvro

extension AvroPayloadJSON {
    /// Decodes with the contracts of this build (every generated type's schema), then with
    /// ``SagaAvro/schemas`` (the Confluent ids this process registered or fetched).
    public static let contracts = AvroPayloadJSON(stores: [
        AvroSchemaStore(AvroGeneratedTypes.all.map { $0.avroSchema }), SagaAvro.schemas,
    ])
}
