"""fastavro side of the Swift Avro interoperability tests (AvroInteropTests.swift).

Reads one JSON request (from the file named by the second argument, else stdin) and writes one JSON response on stdout.

  generate: {"schemas": [{"source": name, "json": text}, ...], "count": N, "seed": S}
      Parses the schemas in dependency order (a schema naming a type from another is
      retried after the others), makes every schema self-contained (a type from another
      file inlined at its first use), and for each returns its Parsing Canonical Form, its
      CRC-64-AVRO fingerprint (little-endian hex, as fastavro gives it) and N random data:
      the binary encoding (hex), what fastavro reads back as `plain` JSON, and fastavro's
      Avro JSON encoding of it (null where fastavro's JSON coder cannot handle the schema).
  decode: {"schemas": [...], "data": {source: [hex, ...]}}
      Decodes each binary datum with fastavro and returns it as `plain` JSON.
  json: {"schemas": [...], "json": {source: [Avro JSON text, ...]}}
      Reads Swift's Avro JSON encodings with fastavro's JSON reader (see json_decode).
  resolve: {"pairs": [{"name": n, "writer": text, "reader": text}], "count": N, "seed": S}
      Writes random data with the writer schema and reads it with the reader schema:
      returns the binary (hex) and the resolved datum as `plain` JSON.
"""
import datetime
import decimal
import io
import json
import random
import sys
import uuid

import fastavro
from fastavro.schema import UnknownType, fingerprint, parse_schema, to_parsing_canonical_form

PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)


def parse_in_order(sources):
    named, parsed, pending = {}, {}, list(sources)
    while pending:
        deferred = []
        for item in pending:
            try:
                parsed[item["source"]] = parse_schema(json.loads(item["json"]), named)
            except UnknownType:
                deferred.append(item)
        if len(deferred) == len(pending):
            raise SystemExit("fastavro: unresolvable references in " + ", ".join(i["source"] for i in deferred))
        pending = deferred
    return named, parsed


def self_contained(schema, named, seen):
    """Inline each named type at its first occurrence, reference it afterwards."""
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return schema
        if schema in seen:
            return schema
        return self_contained(named[schema], named, seen)
    if isinstance(schema, list):
        return [self_contained(b, named, seen) for b in schema]
    schema = {k: v for k, v in schema.items() if not k.startswith("__")}
    t = schema["type"]
    if t in ("record", "error", "enum", "fixed"):
        if schema["name"] in seen:
            return schema["name"]
        seen.add(schema["name"])
    if t in ("record", "error"):
        schema["fields"] = [dict(f, type=self_contained(f["type"], named, seen)) for f in schema["fields"]]
    elif t == "array":
        schema["items"] = self_contained(schema["items"], named, seen)
    elif t == "map":
        schema["values"] = self_contained(schema["values"], named, seen)
    elif isinstance(t, (dict, list)) or (isinstance(t, str) and t not in PRIMITIVES and t not in ("enum", "fixed")):
        return self_contained(t, named, seen)
    return schema


def random_decimal(rnd, precision, scale):
    digits = rnd.randint(1, precision)
    unscaled = rnd.randint(-(10 ** digits - 1), 10 ** digits - 1)
    return decimal.Decimal(unscaled).scaleb(-scale)


def gen(schema, named, rnd, depth):
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return gen({"type": schema}, named, rnd, depth)
        return gen(named[schema], named, rnd, depth)
    if isinstance(schema, list):
        branches = schema
        if depth > 3 and "null" in branches:
            return None
        branch = rnd.choice(branches)
        return gen(branch, named, rnd, depth + 1)
    t = schema["type"]
    logical = schema.get("logicalType")
    if logical == "decimal" and t in ("bytes", "fixed"):
        return random_decimal(rnd, schema["precision"], schema.get("scale", 0))
    if logical == "uuid" and t == "string":
        return uuid.UUID(int=rnd.getrandbits(128), version=4)
    if logical == "date" and t == "int":
        return datetime.date(1970, 1, 1) + datetime.timedelta(days=rnd.randint(-300000, 2900000))
    if logical == "time-millis" and t == "int":
        return datetime.time(rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59), rnd.randint(0, 999) * 1000)
    if logical == "time-micros" and t == "long":
        return datetime.time(rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59), rnd.randint(0, 999999))
    if logical in ("timestamp-millis", "timestamp-micros", "local-timestamp-millis", "local-timestamp-micros") and t == "long":
        micros = rnd.randint(-2_000_000_000_000_000, 30_000_000_000_000_000)
        if logical.endswith("millis"):
            micros -= micros % 1000
        value = EPOCH + datetime.timedelta(microseconds=micros)
        return value.replace(tzinfo=None) if logical.startswith("local") else value
    if t == "null":
        return None
    if t == "boolean":
        return rnd.random() < 0.5
    if t == "int":
        return rnd.randint(-(2 ** 31), 2 ** 31 - 1) >> rnd.randint(0, 31)
    if t == "long":
        return rnd.randint(-(2 ** 63), 2 ** 63 - 1) >> rnd.randint(0, 63)
    if t in ("float", "double"):
        return rnd.uniform(-1e6, 1e6)
    if t == "bytes":
        return bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 8)))
    if t == "string":
        return "".join(rnd.choice("abcXYZ é✓€\"\\\n") for _ in range(rnd.randint(0, 8)))
    if t == "fixed":
        return bytes(rnd.getrandbits(8) for _ in range(schema["size"]))
    if t == "enum":
        return rnd.choice(schema["symbols"])
    if t == "array":
        return [gen(schema["items"], named, rnd, depth + 1) for _ in range(0 if depth > 3 else rnd.randint(0, 3))]
    if t == "map":
        return {"k%d" % i: gen(schema["values"], named, rnd, depth + 1) for i in range(0 if depth > 3 else rnd.randint(0, 3))}
    if t in ("record", "error"):
        return {f["name"]: gen(f["type"], named, rnd, depth + 1) for f in schema["fields"]}
    return gen(t, named, rnd, depth)


def plain(value):
    """What fastavro read, as JSON both sides can produce independently of Avro's JSON
    encoding (fastavro's JSON writer fails on recursive unions): unions untagged; bytes,
    decimals, uuids, dates, times and timestamps as tagged objects of exact values."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, float, str)):
        return value
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": format(value, "f")}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, datetime.datetime):
        micros = (value.replace(tzinfo=UTC) - EPOCH) // datetime.timedelta(microseconds=1)
        return {"$local" if value.tzinfo is None else "$timestamp": micros}
    if isinstance(value, datetime.date):
        return {"$date": (value - datetime.date(1970, 1, 1)).days}
    if isinstance(value, datetime.time):
        return {"$time": ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    raise TypeError("unexpected value from fastavro: %r" % (value,))


def to_json(schema, datum):
    return json.dumps(plain(datum))


def avro_json(schema, datum):
    """fastavro's Avro JSON encoding of a datum, or None where fastavro's JSON coder cannot
    handle the schema (on recursive schemas its writer fails with IndexError or recurses
    forever; the Swift side checks that only recursive schemas get None)."""
    out = io.StringIO()
    try:
        fastavro.json_writer(out, schema, [datum])
    except (RecursionError, IndexError):
        return None
    return out.getvalue().strip()


def json_decode(request):
    """Reads Swift's Avro JSON encodings with fastavro's JSON reader, returning `plain` JSON,
    or {"unsupported": error} where fastavro's JSON reader fails (it cannot handle recursive
    schemas; the Swift side checks that only recursive schemas fail)."""
    _, parsed = parse_in_order(request["schemas"])
    response = {}
    for source, texts in request["json"].items():
        try:
            response[source] = [to_json(None, next(iter(fastavro.json_reader(io.StringIO(t), parsed[source])))) for t in texts]
        except Exception as error:  # reported back; the Swift side accepts it only for recursive schemas
            response[source] = {"unsupported": repr(error)}
    return response


def read(data, writer, reader=None):
    return fastavro.schemaless_reader(io.BytesIO(data), writer, reader)


def write(schema, datum):
    out = io.BytesIO()
    fastavro.schemaless_writer(out, schema, datum)
    return out.getvalue()


def generate(request):
    named, parsed = parse_in_order(request["schemas"])
    rnd = random.Random(request["seed"])
    response = {}
    for item in request["schemas"]:
        schema = self_contained(parsed[item["source"]], named, set())
        canonical = to_parsing_canonical_form(schema)
        data = []
        for _ in range(request["count"]):
            binary = write(parsed[item["source"]], gen(parsed[item["source"]], named, rnd, 0))
            datum = read(binary, parsed[item["source"]])
            data.append({"hex": binary.hex(), "json": to_json(parsed[item["source"]], datum),
                         "avroJSON": avro_json(parsed[item["source"]], datum)})
        response[item["source"]] = {
            "canonical": canonical,
            "fingerprint": fingerprint(canonical, "CRC-64-AVRO"),
            "data": data,
        }
    return response


def decode(request):
    _, parsed = parse_in_order(request["schemas"])
    return {
        source: [to_json(parsed[source], read(bytes.fromhex(h), parsed[source])) for h in hexes]
        for source, hexes in request["data"].items()
    }


def resolve(request):
    rnd = random.Random(request["seed"])
    response = {}
    for pair in request["pairs"]:
        writer_named, reader_named = {}, {}
        writer = parse_schema(json.loads(pair["writer"]), writer_named)
        reader = parse_schema(json.loads(pair["reader"]), reader_named)
        data = []
        for _ in range(request["count"]):
            binary = write(writer, gen(writer, writer_named, rnd, 0))
            data.append({"hex": binary.hex(), "json": to_json(reader, read(binary, writer, reader))})
        response[pair["name"]] = data
    return response


if __name__ == "__main__":
    command = sys.argv[1]
    if len(sys.argv) > 2:
        with open(sys.argv[2], encoding="utf-8") as f:
            request = json.load(f)
    else:
        request = json.load(sys.stdin)
    result = {"generate": generate, "decode": decode, "resolve": resolve, "json": json_decode}[command](request)
    json.dump(result, sys.stdout)
