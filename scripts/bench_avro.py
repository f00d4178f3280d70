"""Avro throughput: swift-saga's generated types and generic path beside fastavro, same records.

Run by scripts/bench-avro. Each round runs the Swift benchmark (a separate process), then
fastavro's schemaless writer and reader in this process, on the records the Swift side wrote.
Rounds alternate so both see the same machine load; medians over rounds are reported.
"""
import io
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import fastavro
from fastavro.schema import load_schema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(ROOT, "schemas", "com.swiftsaga.order.OrderPlaced.avsc")


def read_bodies(path):
    with open(path, "rb") as f:
        data = f.read()
    bodies, i = [], 0
    while i < len(data):
        (n,) = struct.unpack_from("<I", data, i)
        bodies.append(data[i + 4:i + 4 + n])
        i += 4 + n
    return bodies


def measure(records, seconds, body):
    body()  # warm-up
    done, start = 0, time.perf_counter()
    while True:
        body()
        done += records
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def fastavro_round(schema, bodies, values, seconds):
    writer, reader = fastavro.schemaless_writer, fastavro.schemaless_reader

    def encode():
        for v in values:
            writer(io.BytesIO(), schema, v)

    def decode():
        for b in bodies:
            reader(io.BytesIO(b), schema, None)

    return {"fastavro_encode": measure(len(values), seconds, encode),
            "fastavro_decode": measure(len(bodies), seconds, decode)}


def main():
    rounds = int(os.environ.get("ROUNDS", "5"))
    seconds = float(os.environ.get("SECONDS_PER_MEASURE", "1.0"))
    records = int(os.environ.get("RECORDS", "1000"))
    swift_bench = sys.argv[1]
    schema = load_schema(SCHEMA)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        records_file = os.path.join(tmp, "records.bin")
        for r in range(rounds):
            out = subprocess.run([swift_bench, "--records", str(records), "--seconds", str(seconds),
                                  "--records-out", records_file], check=True, capture_output=True, text=True).stdout
            swift = json.loads(out)
            bodies = read_bodies(records_file)
            values = [fastavro.schemaless_reader(io.BytesIO(b), schema, None) for b in bodies]
            # Same records: fastavro must write exactly the bytes Swift wrote.
            for v, b in zip(values, bodies):
                buf = io.BytesIO()
                fastavro.schemaless_writer(buf, schema, v)
                if buf.getvalue() != b:
                    sys.exit("fastavro re-encodes a record differently from Swift: not the same records")
            bytes_per_record = swift["bytes_per_record"]
            for key in ("generated_encode", "generated_decode", "generic_encode", "generic_decode"):
                results.setdefault(key, []).append(swift[key]["records_per_s"])
            for key, value in fastavro_round(schema, bodies, values, seconds).items():
                results.setdefault(key, []).append(value)
            print(f"round {r + 1}/{rounds}: " + ", ".join(f"{k} {v[-1]:,.0f}/s" for k, v in results.items()), flush=True)

    med = {k: statistics.median(v) for k, v in results.items()}
    print()
    print(f"OrderPlaced with 3 items, {bytes_per_record:.1f} bytes/record, {records} records, "
          f"median of {rounds} alternating rounds, {seconds:g} s per measurement")
    print(f"{'path':<20}{'records/s':>14}{'MB/s':>10}{'vs fastavro':>14}")
    for op in ("encode", "decode"):
        base = med[f"fastavro_{op}"]
        for path in ("generated", "generic", "fastavro"):
            v = med[f"{path}_{op}"]
            print(f"{path + ' ' + op:<20}{v:>14,.0f}{v * bytes_per_record / 1e6:>10.1f}{v / base:>13.1f}x")
    bar = 20
    ok = med["generated_encode"] / med["fastavro_encode"] >= bar and med["generated_decode"] / med["fastavro_decode"] >= bar
    print(f"\nbar: generated encode and decode at least {bar}x fastavro: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
