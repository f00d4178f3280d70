"""The docker-compose and Grafana checks of scripts/check_deployments.py (no container engine
runs in CI, so the compose file's structure is checked here, after `docker-compose config`).

  - PostgreSQL: a `postgres` service on the official image with a healthcheck and a volume for
    its data; every saga-server role reads SAGA_DATABASE_URL pointing at it, waits for it to be
    healthy, and mounts no volume (its state is in PostgreSQL, so replicas share nothing else).
  - Replicas: orchestrator and account run at least 2 (`deploy.replicas`).
  - Prometheus scrapes every role (by DNS service discovery, so every replica) and every role
    has a healthcheck.
  - Grafana: provisioned with a Prometheus datasource and the dashboards folder, both mounted
    where its provisioning files say; every dashboard panel queries that datasource.
"""
from __future__ import annotations

import json
import pathlib
from urllib.parse import urlsplit

import yaml

REPLICATED = {"orchestrator": 2, "account": 2}
DASHBOARDS = "deployments/grafana/dashboards"
PROVISIONING = "deployments/grafana/provisioning"


def saga_roles(services: dict) -> dict[str, dict]:
    """The compose services that run a saga-server role, by service name."""
    return {name: service for name, service in services.items()
            if isinstance(service.get("environment"), dict) and service["environment"].get("SAGA_ROLE")}


def check_compose(root: pathlib.Path, problems: list[str]) -> None:
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    services = compose["services"]
    where = "docker-compose.yml"
    postgres = services.get("postgres")
    if not postgres:
        problems.append(f"{where}: no postgres service")
        postgres = {}
    elif not str(postgres.get("image", "")).startswith("postgres:"):
        problems.append(f"{where}: postgres runs {postgres.get('image')!r}, not the official postgres image")
    if postgres and not postgres.get("healthcheck"):
        problems.append(f"{where}: postgres has no healthcheck")
    if postgres and not any(str(v).split(":")[0] in (compose.get("volumes") or {}) for v in postgres.get("volumes") or []):
        problems.append(f"{where}: postgres keeps its data in no named volume")
    database = (postgres.get("environment") or {}).get("POSTGRES_DB")

    roles = saga_roles(services)
    for name, service in roles.items():
        env = service["environment"]
        url = urlsplit(str(env.get("SAGA_DATABASE_URL", "")))
        if url.hostname != "postgres" or url.path.lstrip("/") != database:
            problems.append(f"{where}: {name} must read SAGA_DATABASE_URL from the postgres service's database "
                            f"{database!r} (has {url.hostname!r}, {url.path.lstrip('/')!r})")
        if (service.get("depends_on") or {}).get("postgres", {}).get("condition") != "service_healthy":
            problems.append(f"{where}: {name} does not wait for postgres to be healthy")
        if service.get("volumes"):
            problems.append(f"{where}: {name} mounts {service['volumes']}: its state belongs in PostgreSQL")
        if not service.get("healthcheck"):
            problems.append(f"{where}: service {name} has no healthcheck")
        replicas = (service.get("deploy") or {}).get("replicas", 1)
        if replicas < REPLICATED.get(name, 1):
            problems.append(f"{where}: {name} runs {replicas} replica(s), want {REPLICATED[name]}")
        if replicas > 1 and (service.get("ports") or service.get("container_name")):
            problems.append(f"{where}: {name} runs {replicas} replicas but publishes ports or names its container")
    for name in REPLICATED:
        if name not in roles:
            problems.append(f"{where}: no service {name}")

    prometheus = yaml.safe_load((root / "deployments/prometheus/prometheus.yml").read_text())
    scraped = set()
    for job in prometheus.get("scrape_configs", []):
        for sd in job.get("dns_sd_configs", []):
            scraped |= {f"{n}:{sd.get('port')}" for n in sd.get("names", [])}
        for sc in job.get("static_configs", []):
            scraped |= set(sc.get("targets", []))
    for name in roles:
        if f"{name}:8080" not in scraped:
            problems.append(f"deployments/prometheus/prometheus.yml: does not scrape compose service {name} ({name}:8080)")
    print(f"check_deployments: compose: postgres, {len(roles)} roles on it, replicas of {sorted(REPLICATED)}, Prometheus targets checked")


def check_grafana(root: pathlib.Path, problems: list[str]) -> None:
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    grafana = compose["services"].get("grafana")
    where = "docker-compose.yml: grafana"
    if not grafana:
        problems.append("docker-compose.yml: no grafana service")
        return
    mounts = {}
    for volume in grafana.get("volumes") or []:
        source, target = str(volume).split(":")[:2]
        mounts[source.removeprefix("./").rstrip("/")] = target
    for needed in (PROVISIONING, DASHBOARDS):
        if needed not in mounts:
            problems.append(f"{where}: does not mount ./{needed}")
    if not grafana.get("healthcheck"):
        problems.append(f"{where}: no healthcheck")

    datasources = {}
    for path in sorted((root / PROVISIONING / "datasources").glob("*.y*ml")):
        for source in (yaml.safe_load(path.read_text()) or {}).get("datasources", []):
            datasources[source.get("uid")] = source
    prometheus = [uid for uid, s in datasources.items() if s.get("type") == "prometheus"]
    if len(prometheus) != 1 or urlsplit(str(datasources[prometheus[0]].get("url"))).hostname != "prometheus":
        problems.append(f"{PROVISIONING}/datasources: want one Prometheus datasource at the prometheus service, have {datasources}")
    providers = [p for path in sorted((root / PROVISIONING / "dashboards").glob("*.y*ml"))
                 for p in (yaml.safe_load(path.read_text()) or {}).get("providers", [])]
    if not any(p.get("options", {}).get("path") == mounts.get(DASHBOARDS) for p in providers):
        problems.append(f"{PROVISIONING}/dashboards: no provider reads {mounts.get(DASHBOARDS)} (where ./{DASHBOARDS} is mounted)")

    dashboards = sorted((root / DASHBOARDS).glob("*.json"))
    if not dashboards:
        problems.append(f"{DASHBOARDS}: no dashboard")
    queries = 0
    for path in dashboards:
        dashboard = json.loads(path.read_text())
        for panel in dashboard_panels(dashboard):
            if panel.get("type") == "row":
                continue
            targets = panel.get("targets") or []
            if not targets or not all(t.get("expr") for t in targets):
                problems.append(f"{path.name}: panel {panel.get('title')!r} has a target without a query")
            for item in [panel] + targets:
                uid = (item.get("datasource") or {}).get("uid")
                if uid not in prometheus:
                    problems.append(f"{path.name}: panel {panel.get('title')!r} uses datasource {uid!r}, not the provisioned {prometheus}")
            queries += len(targets)
    print(f"check_deployments: grafana: {len(dashboards)} dashboard(s), {queries} queries on the provisioned datasource")


def dashboard_panels(dashboard: dict) -> list[dict]:
    """Every panel, those inside collapsed rows included."""
    panels = []
    for panel in dashboard.get("panels", []):
        panels.append(panel)
        panels.extend(panel.get("panels", []))
    return panels
