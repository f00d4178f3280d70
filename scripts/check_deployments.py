#!/usr/bin/env python3
"""Checks of the deployment files that the generic validators cannot make.

    scripts/check_deployments.py [--root DIR] [--kubernetes-version 1.32.0]

  1. Topics: deployments/kafka/create-topics.sh, run against stub Kafka tools with the compose
     settings, creates each topic and dead-letter topic with its configs; the topics docker-compose.yml creates and the KafkaTopic resources in
     deployments/k8s are exactly SagaContracts' SagaTopics (read from the Swift source) plus one
     dead-letter topic each (suffix read from SagaTopics.deadLetter(of:) and
     DeadLetterRecord.topic(for:)), and a dead-letter topic has at least the partitions of its topic.
  2. Kubernetes: every document of deployments/k8s validates strictly against the Kubernetes
     OpenAPI schemas of kubernetes-validate (an unknown kind or apiVersion is an error, not the
     CLI's warning), except Strimzi's custom resources, which kubernetes-validate cannot know:
     those validate against scripts/strimzi-v1beta2.schema.json, a strict schema of the fields
     we use, and CloudNativePG's `Cluster` against scripts/cnpg-cluster-v1.schema.json (made by
     scripts/extract_cnpg_schema.py from CloudNativePG's CRD). Cross references: Strimzi resources
     name the Kafka cluster, the KafkaUser's password Secret and key exist, a `<cluster>-app`
     Secret a role reads is one CloudNativePG generates; kustomization.yaml lists every manifest.
  3. Roles: every stateful role (all seven) keeps its state in PostgreSQL (SAGA_DATABASE_URL from
     the `uri` of a CloudNativePG cluster's app Secret, no PersistentVolumeClaim), runs at least 2
     replicas (or an autoscaler's minReplicas), has a PodDisruptionBudget selecting its pods
     (minAvailable 1 or maxUnavailable 1), preferred anti-affinity on the node, /readyz, /healthz
     and startup probes; every Deployment or StatefulSet has 2+ replicas and a budget.
  4. Compose and Grafana (scripts/check_compose.py): PostgreSQL, the replicas, the roles' database
     URL, Prometheus scraping every role, Grafana provisioned with the dashboard, whose panels
     each query the provisioned datasource.
Exit status 0 when all hold, 1 with one line per problem otherwise. Needs PyYAML, jsonschema,
kubernetes-validate.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys

import jsonschema
import yaml
from kubernetes_validate import utils as kv

from check_compose import check_compose, check_grafana

ROLES = ["orchestrator", "order", "inventory", "payment", "account", "notification", "api"]
STRIMZI_GROUP = "kafka.strimzi.io/"
CNPG_GROUP = "postgresql.cnpg.io/"


def swift_topics(root: pathlib.Path) -> tuple[list[str], str]:
    """The topics and the dead-letter suffix from deployments/topics.txt (what `saga-server
    --print-topics` prints; scripts/validate-deployments checks the two agree)."""
    names = [line.strip() for line in (root / "deployments/topics.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    suffix = ".dlq"
    topics = [name for name in names if not name.endswith(suffix)]
    if not topics or sorted(names) != sorted(topics + [t + suffix for t in topics]):
        raise SystemExit("check_deployments: deployments/topics.txt must list each topic and its "
                         f"dead-letter topic (<topic>{suffix})")
    return topics, suffix


def load_all(path: pathlib.Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def check_topics(root: pathlib.Path, k8s: list[tuple[str, dict]], problems: list[str]) -> None:
    topics, suffix = swift_topics(root)
    expected = set(topics) | {t + suffix for t in topics}

    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    init = compose["services"].get("kafka-init-topics")
    if not init:
        problems.append("docker-compose.yml: no kafka-init-topics service")
    else:
        env = init.get("environment") or {}
        listed = str(env.get("TOPICS", "")).split()
        if sorted(listed) != sorted(topics):
            problems.append(f"docker-compose.yml: kafka-init-topics TOPICS {sorted(listed)} != SagaTopics {sorted(topics)}")
        if len(set(listed)) != len(listed):
            problems.append("docker-compose.yml: kafka-init-topics TOPICS lists a topic twice")
        if env.get("DLQ_SUFFIX") != suffix:
            problems.append(f"docker-compose.yml: DLQ_SUFFIX {env.get('DLQ_SUFFIX')!r} != the Swift suffix {suffix!r}")

    partitions: dict[str, int] = {}
    for file, doc in k8s:
        if doc.get("kind") == "KafkaTopic":
            name = doc["spec"].get("topicName", doc["metadata"]["name"])
            if name in partitions:
                problems.append(f"{file}: topic {name} defined twice")
            partitions[name] = doc["spec"]["partitions"]
    if set(partitions) != expected:
        missing, extra = sorted(expected - set(partitions)), sorted(set(partitions) - expected)
        problems.append(f"deployments/k8s: KafkaTopic names differ from SagaTopics + {suffix}: "
                        f"missing {missing}, unexpected {extra}")
    for topic in topics:
        dlq = topic + suffix
        if topic in partitions and dlq in partitions and partitions[dlq] < partitions[topic]:
            problems.append(f"deployments/k8s: {dlq} has {partitions[dlq]} partitions, fewer than {topic}'s "
                            f"{partitions[topic]} (a dead letter goes to its original partition)")
    print(f"check_deployments: topics: compose and Kubernetes checked against {len(topics)} SagaTopics + {len(topics)} dead-letter topics")


STUB_TOPICS = """#!/usr/bin/env bash
printf '%s\\n' "kafka-topics.sh $*" >> "$STUB_LOG"
if [[ " $* " == *" --describe "* ]]; then
  printf 'Topic: t\\tTopicId: x\\tPartitionCount: %s\\tReplicationFactor: 1\\n' "$STUB_PARTITIONS"
fi
"""
STUB_CONFIGS = """#!/usr/bin/env bash
printf '%s\\n' "kafka-configs.sh $*" >> "$STUB_LOG"
"""


def check_create_topics(root: pathlib.Path, problems: list[str]) -> None:
    """Runs deployments/kafka/create-topics.sh with the compose environment against stub Kafka tools
    and checks what it asked them to do: create every topic and dead-letter topic with its configs."""
    import os
    import subprocess
    import tempfile

    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    env = {k: str(v) for k, v in (compose["services"]["kafka-init-topics"].get("environment") or {}).items()}
    topics = env["TOPICS"].split()
    with tempfile.TemporaryDirectory() as stub:
        for name, text in (("kafka-topics.sh", STUB_TOPICS), ("kafka-configs.sh", STUB_CONFIGS)):
            (pathlib.Path(stub) / name).write_text(text)
            (pathlib.Path(stub) / name).chmod(0o755)
        log = pathlib.Path(stub) / "calls.log"
        run_env = {**os.environ, **env, "KAFKA_BIN": stub, "STUB_LOG": str(log), "STUB_PARTITIONS": env["PARTITIONS"]}
        result = subprocess.run(["bash", str(root / "deployments/kafka/create-topics.sh")], env=run_env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            problems.append(f"deployments/kafka/create-topics.sh failed ({result.returncode}): {result.stderr.strip()}")
            return
        if "warning" in result.stdout:
            problems.append(f"deployments/kafka/create-topics.sh warned: {result.stdout.strip()}")
        calls = log.read_text().splitlines()
    creates = {}
    for call in calls:
        words = call.split()
        if "--create" in words:
            name = words[words.index("--topic") + 1]
            configs = sorted(words[i + 1] for i, w in enumerate(words) if w == "--config")
            if "--if-not-exists" not in words or words[words.index("--partitions") + 1] != env["PARTITIONS"]:
                problems.append(f"create-topics.sh: unexpected create call: {call}")
            creates[name] = configs
    for topic in topics:
        for name, configs in ((topic, env["TOPIC_CONFIGS"]), (topic + env["DLQ_SUFFIX"], env["DLQ_CONFIGS"])):
            if creates.get(name) != sorted(configs.split(",")):
                problems.append(f"create-topics.sh: {name} created with {creates.get(name)}, want {sorted(configs.split(','))}")
            if not any("--alter" in c and f"--entity-name {name} " in c + " " for c in calls):
                problems.append(f"create-topics.sh: does not converge the configs of {name}")
    if len(creates) != 2 * len(topics):
        problems.append(f"create-topics.sh: created {len(creates)} topics, want {2 * len(topics)}")
    print(f"check_deployments: create-topics.sh: creates and converges {len(creates)} topics (stub Kafka tools)")


def check_kubernetes(root: pathlib.Path, k8s: list[tuple[str, dict]], version: str, problems: list[str]) -> None:
    schema = json.loads((root / "scripts/strimzi-v1beta2.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    # One validator per kind, so that every error of a document is reported (oneOf reports one).
    strimzi = {kind: jsonschema.Draft202012Validator({**schema, "oneOf": [{"$ref": f"#/$defs/{kind}"}]})
               for kind in schema["$defs"] if kind[0].isupper()}
    cnpg_schema = json.loads((root / "scripts/cnpg-cluster-v1.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(cnpg_schema)
    cnpg = {"Cluster": jsonschema.Draft202012Validator(cnpg_schema)}
    counts = {"core": 0, "strimzi": 0, "cnpg": 0}
    for file, doc in k8s:
        what = f"{file}: {doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
        if str(doc.get("apiVersion", "")).startswith(CNPG_GROUP):
            validator = cnpg.get(str(doc.get("kind")))
            if validator is None:
                problems.append(f"{what}: CloudNativePG kind {doc.get('kind')!r} has no schema in scripts/")
                continue
            for error in validator.iter_errors(doc):
                path = "/".join(str(p) for p in error.absolute_path)
                hint = " (a field new here: run scripts/extract_cnpg_schema.py)" if error.validator == "additionalProperties" else ""
                problems.append(f"{what}: {path}: {error.message}{hint}")
            counts["cnpg"] += 1
            continue
        if str(doc.get("apiVersion", "")).startswith(STRIMZI_GROUP):
            validator = strimzi.get(str(doc.get("kind")))
            if validator is None:
                problems.append(f"{what}: Strimzi kind {doc.get('kind')!r} is not in scripts/strimzi-v1beta2.schema.json")
                continue
            for error in validator.iter_errors(doc):
                for leaf in (error.context or [error]):  # the errors inside the kind's branch
                    path = "/".join(str(p) for p in leaf.absolute_path)
                    problems.append(f"{what}: {path}: {leaf.message}")
            counts["strimzi"] += 1
            continue
        try:
            kv.validate(doc, version, strict=True)
            counts["core"] += 1
        except kv.SchemaNotFoundError:
            problems.append(f"{what}: no Kubernetes {version} schema for {doc.get('apiVersion')} {doc.get('kind')}")
        except kv.ValidationError as error:
            path = "/".join(str(p) for p in error.path)
            problems.append(f"{what}: {path}: {error.message}")

    kafkas = {d["metadata"]["name"] for _, d in k8s if d.get("kind") == "Kafka"}
    secrets = {d["metadata"]["name"]: set((d.get("stringData") or {}).keys()) | set((d.get("data") or {}).keys())
               for _, d in k8s if d.get("kind") == "Secret"}
    for file, doc in k8s:
        if str(doc.get("apiVersion", "")).startswith(STRIMZI_GROUP) and doc.get("kind") != "Kafka":
            cluster = doc["metadata"].get("labels", {}).get("strimzi.io/cluster")
            if cluster not in kafkas:
                problems.append(f"{file}: {doc['kind']}/{doc['metadata']['name']} names cluster {cluster!r}, "
                                f"not one of the Kafka resources {sorted(kafkas)}")
        if doc.get("kind") == "KafkaUser":
            ref = doc["spec"]["authentication"].get("password", {}).get("valueFrom", {}).get("secretKeyRef")
            if ref and ref["key"] not in secrets.get(ref["name"], set()):
                problems.append(f"{file}: KafkaUser password {ref['name']}/{ref['key']} is not in a Secret")
            if ref and "KAFKA_SASL_USERNAME" in secrets.get(ref["name"], set()):
                secret_doc = next(d for _, d in k8s if d.get("kind") == "Secret" and d["metadata"]["name"] == ref["name"])
                username = (secret_doc.get("stringData") or {}).get("KAFKA_SASL_USERNAME")
                if username is not None and username != doc["metadata"]["name"]:
                    problems.append(f"{file}: KafkaUser {doc['metadata']['name']} but the Secret's "
                                    f"KAFKA_SASL_USERNAME is {username!r}")

    k8s_dir = root / "deployments/k8s"
    kustomization = yaml.safe_load((k8s_dir / "kustomization.yaml").read_text())
    listed = kustomization.get("resources", [])
    for resource in listed:
        if not (k8s_dir / resource).is_file():
            problems.append(f"deployments/k8s/kustomization.yaml: resource {resource} does not exist")
    for path in sorted(k8s_dir.rglob("*.y*ml")):
        relative = str(path.relative_to(k8s_dir))
        if relative != "kustomization.yaml" and relative not in listed:
            problems.append(f"deployments/k8s/kustomization.yaml: does not list {relative}")
    print(f"check_deployments: kubernetes: {counts['core']} core documents strict against Kubernetes {version}, "
          f"{counts['strimzi']} Strimzi documents against scripts/strimzi-v1beta2.schema.json, "
          f"{counts['cnpg']} CloudNativePG documents against scripts/cnpg-cluster-v1.schema.json")


def selects(selector: dict, labels: dict) -> bool:
    """Whether a label selector (matchLabels only) selects pods with `labels`."""
    match = selector.get("matchLabels") or {}
    return bool(match) and not selector.get("matchExpressions") and all(labels.get(k) == v for k, v in match.items())


def database_url_source(container: dict) -> tuple[str, str] | None:
    """The (Secret, key) SAGA_DATABASE_URL comes from, if it comes from a Secret."""
    for entry in container.get("env") or []:
        if entry.get("name") == "SAGA_DATABASE_URL":
            ref = (entry.get("valueFrom") or {}).get("secretKeyRef") or {}
            return (ref.get("name"), ref.get("key")) if ref else ("(a literal value)", "")
    return None


def check_replicas_and_budgets(by_kind: dict[str, dict[str, dict]], problems: list[str]) -> None:
    """Every Deployment and StatefulSet: 2+ replicas (or an autoscaler's minReplicas) and a
    PodDisruptionBudget selecting its pods that lets one go and keeps one."""
    autoscaled = {h["spec"]["scaleTargetRef"]["name"]: h["spec"].get("minReplicas", 1)
                  for h in by_kind.get("HorizontalPodAutoscaler", {}).values()}
    budgets = list(by_kind.get("PodDisruptionBudget", {}).values())
    for kind in ("Deployment", "StatefulSet"):
        for name, workload in by_kind.get(kind, {}).items():
            spec = workload["spec"]
            replicas = autoscaled.get(name, spec.get("replicas", 1))
            if replicas < 2:
                problems.append(f"deployments/k8s: {kind} {name} runs {replicas} replica(s); every role runs at least 2")
            labels = spec["template"]["metadata"].get("labels") or {}
            matching = [b for b in budgets if selects(b["spec"].get("selector") or {}, labels)]
            if not matching:
                problems.append(f"deployments/k8s: no PodDisruptionBudget selects the pods of {kind} {name}")
            for budget in matching:
                bspec = budget["spec"]
                if bspec.get("minAvailable") != 1 and bspec.get("maxUnavailable") != 1:
                    problems.append(f"deployments/k8s: PodDisruptionBudget {budget['metadata']['name']} of {name} must set "
                                    f"minAvailable: 1 or maxUnavailable: 1 (has {bspec})")


def check_roles(root: pathlib.Path, k8s: list[tuple[str, dict]], problems: list[str]) -> None:
    by_kind: dict[str, dict[str, dict]] = {}
    for _, doc in k8s:
        by_kind.setdefault(doc.get("kind", ""), {})[doc["metadata"]["name"]] = doc
    deployments = by_kind.get("Deployment", {})
    clusters = set(by_kind.get("Cluster", {}))
    for role in ROLES:
        name = f"saga-{role}"
        deployment = deployments.get(name)
        if not deployment:
            problems.append(f"deployments/k8s: no Deployment {name}")
            continue
        spec = deployment["spec"]
        pod = spec["template"]["spec"]
        container = pod["containers"][0]
        probes = {kind: (container.get(kind) or {}).get("httpGet", {}).get("path")
                  for kind in ("readinessProbe", "livenessProbe", "startupProbe")}
        if probes["readinessProbe"] != "/readyz" or probes["livenessProbe"] != "/healthz" or not probes["startupProbe"]:
            problems.append(f"deployments/k8s: {name} probes {probes}: want readiness /readyz, liveness /healthz, a startup probe")
        if not container.get("lifecycle", {}).get("preStop"):
            problems.append(f"deployments/k8s: {name} has no preStop hook")
        if not pod.get("securityContext", {}).get("runAsNonRoot"):
            problems.append(f"deployments/k8s: {name} does not require runAsNonRoot")
        if name not in by_kind.get("Service", {}):
            problems.append(f"deployments/k8s: no Service {name}")
        claims = [v["persistentVolumeClaim"]["claimName"] for v in pod.get("volumes", []) if "persistentVolumeClaim" in v]
        if claims:
            problems.append(f"deployments/k8s: {name} mounts PersistentVolumeClaims {claims}: its state belongs in PostgreSQL")
        if spec.get("strategy", {}).get("type") == "Recreate":
            problems.append(f"deployments/k8s: {name} uses strategy Recreate: replicas on PostgreSQL roll one at a time")
        source = database_url_source(container)
        if source is None or source[0] not in {f"{c}-app" for c in clusters} or source[1] != "uri":
            problems.append(f"deployments/k8s: {name} must read SAGA_DATABASE_URL from the `uri` of a CloudNativePG "
                            f"app Secret (one of {sorted(f'{c}-app' for c in clusters)}), not {source}")
        schema = next((e.get("value") for e in container.get("env") or [] if e.get("name") == "SAGA_DATABASE_SCHEMA"), role)
        if schema != role:
            problems.append(f"deployments/k8s: {name} keeps its tables in schema {schema!r}; each role has its own, {role!r}")
        terms = (((pod.get("affinity") or {}).get("podAntiAffinity") or {})
                 .get("preferredDuringSchedulingIgnoredDuringExecution") or [])
        labels = spec["template"]["metadata"].get("labels") or {}
        if not any(t["podAffinityTerm"].get("topologyKey") == "kubernetes.io/hostname"
                   and selects(t["podAffinityTerm"].get("labelSelector") or {}, labels) for t in terms):
            problems.append(f"deployments/k8s: {name} has no preferred pod anti-affinity on kubernetes.io/hostname for its own pods")
    check_replicas_and_budgets(by_kind, problems)
    print(f"check_deployments: roles: {len(ROLES)} Deployments on PostgreSQL with replicas, budgets and anti-affinity checked")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=pathlib.Path(__file__).resolve().parent.parent, type=pathlib.Path)
    parser.add_argument("--kubernetes-version", default="1.32.0")
    args = parser.parse_args()
    k8s = [(str(path.relative_to(args.root)), doc)
           for path in sorted((args.root / "deployments/k8s").rglob("*.y*ml")) if path.name != "kustomization.yaml"
           for doc in load_all(path)]
    problems: list[str] = []
    check_topics(args.root, k8s, problems)
    check_create_topics(args.root, problems)
    check_kubernetes(args.root, k8s, args.kubernetes_version, problems)
    check_roles(args.root, k8s, problems)
    check_compose(args.root, problems)
    check_grafana(args.root, problems)
    for problem in problems:
        print(f"check_deployments: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
