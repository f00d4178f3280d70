"""confluent-kafka's own Schema Registry client and Avro serde against our read-only registry.

Run by SchemaRegistryTests/ConfluentInteropTests.swift with PYTHONPATH set to the packages
scripts/setup installs (.deps/python and .deps/python-registry). Prints one JSON object.

    confluent_interop.py serialize URL SCHEMA_FILE TOPIC
        Looks the schema up by id and by subject with SchemaRegistryClient, then serializes a
        TransferRequested with AvroSerializer (auto.register.schemas=False,
        use.latest.version=False: the serializer looks its schema up under <topic>-value).
        The schema text sent is fastavro's expansion of the file with keys sorted and
        indented: not our text, the same Parsing Canonical Form.
    confluent_interop.py deserialize URL HEX TOPIC
        Deserializes Confluent-framed bytes with AvroDeserializer (schema fetched by id).
"""

import datetime
import json
import sys
import uuid

import fastavro.schema
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext


def plain(value):
    """JSON-friendly form of a deserialized value."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    return value


def serialize(url, schema_file, topic):
    client = SchemaRegistryClient({"url": url})
    expanded = fastavro.schema.load_schema(schema_file, _write_hint=False)
    schema_str = json.dumps(expanded, sort_keys=True, indent=2)
    subject = f"{topic}-value"
    registered = client.lookup_schema(subject, Schema(schema_str, "AVRO"))
    by_id = client.get_schema(registered.schema_id)
    latest = client.get_latest_version(subject)
    subjects = client.get_subjects()
    serializer = AvroSerializer(client, schema_str, conf={"auto.register.schemas": False, "use.latest.version": False})
    transfer_id = "6c4f8a2e-3b1d-4e5f-9a7b-1c2d3e4f5a6b"
    record = {
        "metadata": {
            "messageId": "0b9e1f4a-7c3d-4a2b-8e6f-5d4c3b2a1f0e",
            "sagaId": transfer_id,
            "causationId": None,
            "occurredAt": datetime.datetime(2026, 11, 21, 8, 58, 35, 191000, tzinfo=datetime.timezone.utc),
            "source": "python-upi-frontend",
            "traceParent": None,
            "replyTo": None,
        },
        "transferId": transfer_id,
        "payerVpa": "alice@okbank",
        "payeeVpa": "bob@okbank",
        "amount": {"amountMinor": 25000, "currency": "INR"},
        "note": "rent",
    }
    data = serializer(record, SerializationContext(topic, MessageField.VALUE))
    return {
        "lookup": {"subject": registered.subject, "id": registered.schema_id, "version": registered.version},
        "latest": {"subject": latest.subject, "id": latest.schema_id, "version": latest.version},
        "byIdSchemaName": json.loads(by_id.schema_str)["name"],
        "subjectCount": len(subjects),
        "hasTopicSubject": subject in subjects,
        "bytes": data.hex(),
    }


def deserialize(url, hex_bytes, topic):
    client = SchemaRegistryClient({"url": url})
    deserializer = AvroDeserializer(client)
    value = deserializer(bytes.fromhex(hex_bytes), SerializationContext(topic, MessageField.VALUE))
    return {"value": plain(value)}


def main():
    command, url, argument, topic = sys.argv[1:5]
    if command == "serialize":
        result = serialize(url, argument, topic)
    elif command == "deserialize":
        result = deserialize(url, argument, topic)
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
