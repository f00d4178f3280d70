"""confluent-kafka's Producer, SchemaRegistryClient, AvroSerializer and AvroDeserializer against
a running saga system: its /registry and the test broker.

Run by SagaSystemTests/ConfluentSystemTests.swift with PYTHONPATH set to the packages scripts/setup
installs (.deps/python and .deps/python-registry). Prints one JSON object.

    confluent_system.py produce-transfer BOOTSTRAP TOPIC REGISTRY_URL SCHEMA_FILE
        Serializes a new TransferRequested (alice@okbank -> bob@okbank) with AvroSerializer, which
        looks the schema up under <TOPIC>-value in the registry (auto.register.schemas=False), and
        produces it to TOPIC with the contracts' headers. Prints the saga id and the value's header bytes.
    confluent_system.py read-events BOOTSTRAP TOPIC REGISTRY_URL SAGA_ID TIMEOUT_SECONDS
        Reads TOPIC from the beginning with AvroDeserializer (writer schemas fetched by id from the
        registry) until a lifecycle event of SAGA_ID with `startedAt` and no `failure` (SagaCompleted)
        arrives or the timeout passes. Prints the saga's events as deserialized.
"""

import datetime
import json
import os
import sys
import time
import uuid

import fastavro.schema
from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
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


def registry_client(registry_url):
    """A registry client; with SAGA_TOKEN set, it sends it as its bearer token (confluent-kafka's
    STATIC_TOKEN source also wants a logical cluster name, which the registry ignores)."""
    conf = {"url": registry_url}
    token = os.environ.get("SAGA_TOKEN")
    if token:
        conf.update({"bearer.auth.credentials.source": "STATIC_TOKEN", "bearer.auth.token": token,
                     "bearer.auth.logical.cluster": "swift-saga"})
    return SchemaRegistryClient(conf)


def produce(bootstrap, topic, registry_url, schema_file, record, message_type, saga_id):
    """Serializes `record` with AvroSerializer (the schema looked up at `registry_url`, never
    registered) and publishes it with the contracts' headers; returns the framing's facts."""
    client = registry_client(registry_url)
    schema_str = json.dumps(fastavro.schema.load_schema(schema_file, _write_hint=False), sort_keys=True)
    serializer = AvroSerializer(client, schema_str, conf={"auto.register.schemas": False, "use.latest.version": False})
    value = serializer(record, SerializationContext(topic, MessageField.VALUE))
    producer = Producer({"bootstrap.servers": bootstrap})
    errors = []
    producer.produce(
        topic, key=saga_id.encode(), value=value,
        headers=[
            ("message-type", message_type.encode()),
            ("message-id", record["metadata"]["messageId"].encode()),
            ("saga-id", saga_id.encode()),
            ("content-type", b"application/vnd.apache.avro+binary; confluent"),
        ],
        on_delivery=lambda error, _: errors.append(error) if error else None,
    )
    remaining = producer.flush(30)
    if remaining or errors:
        raise SystemExit(f"produce failed: {remaining} undelivered, errors {errors}")
    return {"sagaId": saga_id, "header": value[:5].hex(), "schemaId": int.from_bytes(value[1:5], "big")}


def metadata(saga_id, source):
    return {
        "messageId": str(uuid.uuid4()),
        "sagaId": saga_id,
        "causationId": None,
        "occurredAt": datetime.datetime.now(datetime.timezone.utc),
        "source": source,
        "traceParent": None,
        "replyTo": None,
    }


def produce_transfer(bootstrap, topic, registry_url, schema_file):
    """A new TransferRequested (alice@okbank -> bob@okbank, 15.00 INR)."""
    saga_id = str(uuid.uuid4())
    record = {
        "metadata": metadata(saga_id, "python-upi-frontend"),
        "transferId": saga_id,
        "payerVpa": "alice@okbank",
        "payeeVpa": "bob@okbank",
        "amount": {"amountMinor": 1500, "currency": "INR"},
        "note": "from confluent-kafka",
    }
    return produce(bootstrap, topic, registry_url, schema_file, record, "com.swiftsaga.transfer.TransferRequested", saga_id)


def produce_order(bootstrap, topic, registry_url, schema_file, order_id, customer_id, product_id, sku, quantity, price):
    """An OrderPlaced for the order `order_id` (one line), as a shop written with Confluent's
    serializer would publish it."""
    record = {
        "metadata": metadata(order_id, "python-shop"),
        "orderId": order_id,
        "customerId": customer_id,
        "items": [{"productId": product_id, "sku": sku, "quantity": int(quantity), "unitPriceMinor": int(price)}],
        "currency": "INR",
        "paymentToken": "tok_visa",
    }
    return produce(bootstrap, topic, registry_url, schema_file, record, "com.swiftsaga.order.OrderPlaced", order_id)


def read_events(bootstrap, topic, registry_url, saga_id, timeout):
    deserializer = AvroDeserializer(registry_client(registry_url))
    consumer = Consumer({
        "bootstrap.servers": bootstrap, "group.id": f"py-{uuid.uuid4()}",
        "auto.offset.reset": "earliest", "enable.auto.commit": False,
    })
    consumer.subscribe([topic])
    events = []
    deadline = time.monotonic() + float(timeout)
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is None:
                continue
            if message.error():
                raise SystemExit(f"consume failed: {message.error()}")
            headers = {key: value.decode() for key, value in (message.headers() or [])}
            if headers.get("saga-id") != saga_id:
                continue
            value = plain(deserializer(message.value(), SerializationContext(topic, MessageField.VALUE)))
            events.append({
                "messageType": headers.get("message-type"), "contentType": headers.get("content-type"),
                "header": message.value()[:5].hex(), "value": value,
            })
            if "startedAt" in value and "failure" not in value:
                break
    finally:
        consumer.close()
    return {"events": events}


def main():
    command = sys.argv[1]
    if command == "produce-transfer":
        result = produce_transfer(*sys.argv[2:6])
    elif command == "produce-order":
        result = produce_order(*sys.argv[2:12])
    elif command == "read-events":
        result = read_events(*sys.argv[2:7])
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
