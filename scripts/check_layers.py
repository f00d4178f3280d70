#!/usr/bin/env python3
"""Checks the package's layers (docs/architecture.md) from `swift package dump-package` on stdin.

Each target under Sources/<Layer>/ may depend only on targets of its own layer or of the layers
below it (Core < Adapters < Sagas < Applications; Tools sit beside them on Core). The Core layer
may use no package product but swift-log, swift-metrics and swift-distributed-tracing: no I/O.
And every target declares each module its Swift files import (a module reached only through
another target's dependencies is a dependency nobody sees in Package.swift).
Exit 1 naming every violation."""
import json
import pathlib
import re
import sys

ORDER = {"Core": 0, "Adapters": 1, "Sagas": 2, "Applications": 3, "Tools": 1}
CORE_PRODUCTS = {"Logging", "Metrics", "Tracing"}

package = json.load(sys.stdin)
targets = {t["name"]: t for t in package["targets"]}


def layer(target: dict) -> str | None:
    path = target.get("path") or ""
    parts = path.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "Sources" else None


problems = []
for name, target in sorted(targets.items()):
    own = layer(target)
    if own is None:
        continue  # tests, test support, benchmarks
    for dependency in target["dependencies"]:
        kind, value = next(iter(dependency.items()))
        dep_name = value[0]
        if kind == "product":
            if own == "Core" and dep_name not in CORE_PRODUCTS:
                problems.append(f"{name} (Core) uses the product {dep_name}: the core does no I/O")
            continue
        other = targets.get(dep_name)
        other_layer = layer(other) if other else None
        if other_layer is None:
            problems.append(f"{name} ({own}) depends on {dep_name}, which is not in a layer under Sources/")
        elif ORDER[other_layer] > ORDER[own] or (own == "Tools") != (other_layer == "Tools") and other_layer != "Core":
            problems.append(f"{name} ({own}) depends on {dep_name} ({other_layer}), a layer above it")

# Modules that come with the toolchain, not from Package.swift.
TOOLCHAIN = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Darwin", "Musl",
             "Synchronization", "Testing", "XCTest", "Dispatch", "os"}
IMPORT = re.compile(r"^\s*(?:@testable\s+|@_exported\s+)?import\s+(?:(?:struct|class|enum|func|protocol)\s+)?(\w+)")
for name, target in sorted(targets.items()):
    if target["type"] in ("system", "plugin", "binary"):
        continue
    path = pathlib.Path(target.get("path") or ("Tests/" + name if target["type"] == "test" else "Sources/" + name))
    declared = {next(iter(d.values()))[0] for d in target["dependencies"]}
    imported = set()
    for file in path.rglob("*.swift"):
        for line in file.read_text(encoding="utf-8").splitlines():
            match = IMPORT.match(line)
            if match:
                imported.add(match.group(1))
    for module in sorted(imported - declared - TOOLCHAIN - {name}):
        problems.append(f"{name} imports {module} without declaring it in Package.swift")

for problem in problems:
    print(f"check_layers: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"check_layers: {sum(1 for t in targets.values() if layer(t))} targets in their layers")
