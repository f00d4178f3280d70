#!/usr/bin/env bash
# Creates (or converges) every topic of swift-saga and its dead-letter topic.
# Run by the `kafka-init-topics` one-shot service of docker-compose.yml with the apache/kafka
# image's tools. Idempotent: `--create --if-not-exists` for new topics, then `kafka-configs.sh
# --alter` so that changed retention settings reach topics that already exist. It never changes
# the partition count of an existing topic: more partitions move saga ids to other partitions and
# break the per-saga order in flight, so a mismatch is reported for an operator to plan.
#
# Settings (environment of the init service):
#   BOOTSTRAP_SERVERS   broker to talk to (kafka:9092)
#   TOPICS              space-separated topic names (SagaContracts' SagaTopics)
#   DLQ_SUFFIX          dead-letter topic = topic + suffix (SagaTopics.deadLetter(of:): ".dlq")
#   PARTITIONS          partitions of every topic; a DLQ gets the same count, because a
#                       dead-letter record goes to the original record's partition
#   REPLICATION_FACTOR  1 on a single local broker
#   TOPIC_CONFIGS       comma-separated configs of the saga topics
#   DLQ_CONFIGS         comma-separated configs of the dead-letter topics (longer retention)
set -euo pipefail

: "${BOOTSTRAP_SERVERS:?}" "${TOPICS:?}" "${DLQ_SUFFIX:?}" "${PARTITIONS:?}" "${REPLICATION_FACTOR:?}"
: "${TOPIC_CONFIGS:?}" "${DLQ_CONFIGS:?}"
bin="${KAFKA_BIN:-/opt/kafka/bin}"   # the apache/kafka image's tools

say() { printf 'create-topics: %s\n' "$*"; }

ensure_topic() { # name configs
  local name="$1" configs="$2" config_args=() current
  IFS=',' read -r -a pairs <<< "$configs"
  for pair in "${pairs[@]}"; do config_args+=(--config "$pair"); done
  "$bin/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --create --if-not-exists \
    --topic "$name" --partitions "$PARTITIONS" --replication-factor "$REPLICATION_FACTOR" "${config_args[@]}"
  "$bin/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --alter \
    --entity-type topics --entity-name "$name" --add-config "$configs" > /dev/null
  current="$("$bin/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --describe --topic "$name" \
    | sed -n 's/.*PartitionCount: *\([0-9]*\).*/\1/p' | head -n 1)"
  if [ "$current" != "$PARTITIONS" ]; then
    say "warning: $name has ${current:-?} partitions, not $PARTITIONS; left as it is (see the comment above)"
  fi
  say "$name ready (${current:-?} partitions, $configs)"
}

for topic in $TOPICS; do
  ensure_topic "$topic" "$TOPIC_CONFIGS"
  ensure_topic "$topic$DLQ_SUFFIX" "$DLQ_CONFIGS"
done
say "all topics ready"
