#!/usr/bin/env python3
"""Extracts the part of CloudNativePG's `Cluster` schema that our manifest uses.

    scripts/extract_cnpg_schema.py CRD.yaml MANIFEST.yaml --version 1.30.0 > scripts/cnpg-cluster-v1.schema.json

CRD.yaml is CloudNativePG's config/crd/bases/postgresql.cnpg.io_clusters.yaml at the release tag
(https://raw.githubusercontent.com/cloudnative-pg/cloudnative-pg/v<version>/config/crd/bases/postgresql.cnpg.io_clusters.yaml);
MANIFEST.yaml holds our `Cluster` (deployments/k8s/postgres/cluster.yaml). The output is a JSON
schema (draft 2020-12) of the `v1` openAPIV3Schema cut down to the fields the manifest sets, each
keeping its type, enum, bounds, pattern and `required`, and closed (`additionalProperties: false`)
so that any other field fails scripts/check_deployments.py until this is run again. A field the
manifest sets that CloudNativePG's schema does not have stops the extraction, naming it.
Kubernetes extensions are translated: `x-kubernetes-int-or-string` becomes integer-or-string;
CEL rules (`x-kubernetes-validations`) and descriptions are dropped.
"""
from __future__ import annotations

import argparse
import json
import sys

import yaml

KEEP = ("type", "enum", "format", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "required", "nullable")


class Unknown(Exception):
    pass


def prune(schema: dict, value, path: str) -> dict:
    """The subset of `schema` that validates `value` (and everything of its kind at that place)."""
    out = {key: schema[key] for key in KEEP if key in schema}
    if schema.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["type"] = ["integer", "string"]
    if out.pop("nullable", False) and "type" in out:
        out["type"] = sorted(set(out["type"] if isinstance(out["type"], list) else [out["type"]]) | {"null"})
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema and not schema.get("x-kubernetes-int-or-string"):
            out[combinator] = [prune(branch, value, path) for branch in schema[combinator]]
    if isinstance(value, dict):
        properties = schema.get("properties")
        if properties is not None:
            kept = {}
            for key, child in value.items():
                if key not in properties:
                    raise Unknown(f"{path}.{key}: not a field of CloudNativePG's Cluster schema "
                                  f"(fields here: {', '.join(sorted(properties))})")
                kept[key] = prune(properties[key], child, f"{path}.{key}")
            out["properties"] = kept
            out["additionalProperties"] = False
        elif isinstance(schema.get("additionalProperties"), dict):  # a map: every value has one schema
            values = schema["additionalProperties"]
            merged = {}
            for child in value.values():
                merged = prune(values, child, f"{path}.*")
            out["additionalProperties"] = merged or prune(values, None, f"{path}.*")
        elif not schema.get("x-kubernetes-preserve-unknown-fields"):
            raise Unknown(f"{path}: CloudNativePG's schema declares no fields here")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        # Items may set different keys: prune each and keep the union of their fields.
        items: dict = {}
        for index, child in enumerate(value):
            items = merge(items, prune(schema["items"], child, f"{path}[{index}]"))
        out["items"] = items
    return out


def merge(a: dict, b: dict) -> dict:
    """Two prunings of one schema, their properties united."""
    if not a:
        return b
    result = dict(a)
    if "properties" in a or "properties" in b:
        properties = dict(a.get("properties", {}))
        for key, child in b.get("properties", {}).items():
            properties[key] = merge(properties.get(key, {}), child)
        result["properties"] = properties
    for key in ("items", "additionalProperties"):
        if isinstance(a.get(key), dict) and isinstance(b.get(key), dict):
            result[key] = merge(a[key], b[key])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("crd")
    parser.add_argument("manifest")
    parser.add_argument("--version", required=True, help="the CloudNativePG release the CRD is from, e.g. 1.30.0")
    args = parser.parse_args()
    with open(args.crd) as file:
        crd = yaml.safe_load(file)
    if crd.get("kind") != "CustomResourceDefinition" or crd["spec"]["names"]["kind"] != "Cluster":
        raise SystemExit(f"{args.crd}: not CloudNativePG's Cluster CustomResourceDefinition")
    version = next((v for v in crd["spec"]["versions"] if v["name"] == "v1"), None)
    if version is None:
        raise SystemExit(f"{args.crd}: no version v1")
    full = version["schema"]["openAPIV3Schema"]
    with open(args.manifest) as file:
        clusters = [d for d in yaml.safe_load_all(file) if d and d.get("kind") == "Cluster"]
    if not clusters:
        raise SystemExit(f"{args.manifest}: no Cluster")
    schema: dict = {}
    try:
        for cluster in clusters:
            body = {key: value for key, value in cluster.items() if key not in ("apiVersion", "kind", "metadata")}
            schema = merge(schema, prune(full, body, "Cluster"))
    except Unknown as error:
        raise SystemExit(f"extract_cnpg_schema: {args.manifest}: {error}")
    properties = schema.setdefault("properties", {})
    properties["apiVersion"] = {"const": "postgresql.cnpg.io/v1"}
    properties["kind"] = {"const": "Cluster"}
    properties["metadata"] = {"type": "object"}
    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata", "spec"})
    output = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"swift-saga/cloudnative-pg-{args.version}-cluster-v1-subset",
        "title": f"The fields of CloudNativePG {args.version}'s Cluster (postgresql.cnpg.io/v1) that deployments/k8s uses",
        "description": "Generated by scripts/extract_cnpg_schema.py from CloudNativePG's CRD "
                       f"(config/crd/bases/postgresql.cnpg.io_clusters.yaml at v{args.version}) and "
                       "deployments/k8s/postgres/cluster.yaml; do not edit: run the script again after changing the Cluster.",
        **schema,
    }
    json.dump(output, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
