#!/usr/bin/env python3
"""Checks that the deployments set only environment variables saga-server reads.

    scripts/check_env_names.py NAMES_FILE [--root DIR]

NAMES_FILE lists the names the executable reads, one per line ('#' comments and blank lines
ignored); '-' reads them from standard input, e.g.

    saga-server --print-env-names | scripts/check_env_names.py -

Checked, for every saga-server container:
  - docker-compose.yml: the `environment` of each service built from deployments/Dockerfile
    or running the saga-server image (YAML anchors and merge keys resolved);
  - deployments/Dockerfile: the ENV instructions of the runtime stage;
  - deployments/k8s: every Deployment's container `env` names, and the keys of every ConfigMap
    and Secret it loads with `envFrom`.
It also checks that every role runs exactly once in compose and once in Kubernetes, each with
its SAGA_ROLE, and that KAFKA_BOOTSTRAP_SERVERS reaches every container.
Exit status 0 when everything is known, 1 with one line per problem otherwise. Needs PyYAML.
"""
from __future__ import annotations

import argparse
import pathlib
import re
import sys

import yaml

ROLES = ["orchestrator", "order", "inventory", "payment", "account", "notification", "api"]
IMAGE_NAME = "saga-server"


def read_names(source: str) -> set[str]:
    text = sys.stdin.read() if source == "-" else pathlib.Path(source).read_text()
    names = set()
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", line):
            raise SystemExit(f"check_env_names: {source}: not an environment variable name: {line!r}")
        names.add(line)
    if not names:
        raise SystemExit(f"check_env_names: {source}: no names")
    return names


def compose_env(service: dict) -> dict[str, object]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # ["NAME=value", "NAME"]
        return {item.split("=", 1)[0]: (item.split("=", 1)[1] if "=" in item else None) for item in env}
    return dict(env)


def is_saga_server(service: dict) -> bool:
    build = service.get("build")
    dockerfile = build.get("dockerfile", "") if isinstance(build, dict) else ""
    return dockerfile.endswith("deployments/Dockerfile") or IMAGE_NAME in str(service.get("image", ""))


def check_compose(root: pathlib.Path, names: set[str], problems: list[str]) -> None:
    path = root / "docker-compose.yml"
    services = (yaml.safe_load(path.read_text()) or {}).get("services") or {}
    roles_seen: dict[str, str] = {}
    for name, service in services.items():
        if not is_saga_server(service):
            continue
        env = compose_env(service)
        check_container(f"{path.name}: service {name}", env, {}, names, roles_seen, problems)
    check_every_role_runs(path.name, roles_seen, problems)


def check_container(where: str, env: dict[str, object], origin: dict[str, str], names: set[str],
                    roles_seen: dict[str, str], problems: list[str]) -> None:
    """One saga-server container's environment: known names, a valid role not seen before, Kafka."""
    for key in sorted(env):
        if key not in names:
            problems.append(f"{where}: sets {key}{origin.get(key, '')}, which saga-server does not read")
    role = env.get("SAGA_ROLE")
    if role not in ROLES:
        problems.append(f"{where}: SAGA_ROLE={role!r}, not one of {ROLES}")
    elif role in roles_seen:
        problems.append(f"{where}: role {role} already runs in {roles_seen[role]}")
    else:
        roles_seen[role] = where
    if "KAFKA_BOOTSTRAP_SERVERS" not in env:
        problems.append(f"{where}: KAFKA_BOOTSTRAP_SERVERS does not reach the container")


def check_every_role_runs(place: str, roles_seen: dict[str, str], problems: list[str]) -> None:
    for role in ROLES:
        if role not in roles_seen:
            problems.append(f"{place}: no saga-server container runs role {role}")


def dockerfile_env_names(text: str) -> list[str]:
    """The names set by ENV instructions of the last stage (the runtime image)."""
    joined = re.sub(r"\\\n", " ", text)
    stages = re.split(r"(?im)^\s*FROM\s", joined)
    found = []
    for line in stages[-1].splitlines():
        match = re.match(r"(?i)^\s*ENV\s+(.*)$", line)
        if not match:
            continue
        body = match.group(1).strip()
        if "=" not in body.split()[0]:  # legacy `ENV NAME value`
            found.append(body.split()[0])
        else:
            found += re.findall(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=", body)
    return found


def check_dockerfile(root: pathlib.Path, names: set[str], problems: list[str]) -> None:
    path = root / "deployments" / "Dockerfile"
    for key in dockerfile_env_names(path.read_text()):
        if key not in names:
            problems.append(f"deployments/Dockerfile: ENV {key}, which saga-server does not read")


def k8s_documents(root: pathlib.Path) -> list[tuple[str, dict]]:
    docs = []
    for path in sorted((root / "deployments" / "k8s").rglob("*.y*ml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict):
                docs.append((str(path.relative_to(root)), doc))
    return docs


def check_k8s(root: pathlib.Path, names: set[str], problems: list[str]) -> None:
    docs = k8s_documents(root)
    config_maps = {d["metadata"]["name"]: set((d.get("data") or {}).keys())
                   for _, d in docs if d.get("kind") == "ConfigMap"}
    secrets = {d["metadata"]["name"]: set((d.get("stringData") or {}).keys()) | set((d.get("data") or {}).keys())
               for _, d in docs if d.get("kind") == "Secret"}
    roles_seen: dict[str, str] = {}
    for file, doc in docs:
        if doc.get("kind") != "Deployment":
            continue
        deployment = doc["metadata"]["name"]
        for container in doc["spec"]["template"]["spec"].get("containers", []):
            if IMAGE_NAME not in container.get("image", ""):
                continue
            where = f"{file}: Deployment {deployment} container {container['name']}"
            env: dict[str, object] = {}
            origin: dict[str, str] = {}
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    ref, known, what = source["configMapRef"]["name"], config_maps, "ConfigMap"
                elif "secretRef" in source:
                    ref, known, what = source["secretRef"]["name"], secrets, "Secret"
                else:
                    problems.append(f"{where}: unsupported envFrom source {source}")
                    continue
                if ref not in known:
                    problems.append(f"{where}: envFrom {what} {ref} is not in deployments/k8s")
                    continue
                for key in known[ref]:
                    env[key] = f"{what} {ref}"
                    origin[key] = f" (from {what} {ref})"
            for item in container.get("env", []):
                env[item["name"]] = item.get("value", "valueFrom")
                origin[item["name"]] = ""
            check_container(where, env, origin, names, roles_seen, problems)
    check_every_role_runs("deployments/k8s", roles_seen, problems)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names_file", help="names saga-server reads, one per line; '-' for stdin")
    parser.add_argument("--root", default=pathlib.Path(__file__).resolve().parent.parent, type=pathlib.Path)
    args = parser.parse_args()
    names = read_names(args.names_file)
    problems: list[str] = []
    check_compose(args.root, names, problems)
    check_dockerfile(args.root, names, problems)
    check_k8s(args.root, names, problems)
    for problem in problems:
        print(f"check_env_names: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"check_env_names: compose, Dockerfile and Kubernetes set only the {len(names)} names saga-server reads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
