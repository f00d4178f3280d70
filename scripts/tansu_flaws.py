"""Two flaws of Tansu's memory engine, shown with bare librdkafka clients. Run by scripts/tansu-flaws.

skip:    producers write small batches to one partition at once while a consumer reads at its end;
         Tansu takes a batch's offsets before it stores the batch, so a fetch in between returns a
         later batch and the consumer reads on past records the broker acknowledged.
listing: each fetch that has records to return lists every batch of the partition, so following a
         partition costs the broker more the more batches it holds.
"""
import collections
import os
import random
import sys
import threading
import time

from confluent_kafka import OFFSET_BEGINNING, OFFSET_END, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def new_topic(brokers, name):
    admin = AdminClient({"bootstrap.servers": brokers})
    admin.create_topics([NewTopic(name, 1, 1)])[name].result()


def skip(brokers, seconds):
    topic = f"flaw-skip-{int(time.time())}"
    new_topic(brokers, topic)
    acknowledged, lock, stop = set(), threading.Lock(), threading.Event()
    failures = []

    def produce():
        producer = Producer({"bootstrap.servers": brokers, "acks": "all", "enable.idempotence": True, "linger.ms": 5})

        def delivered(error, message):
            if error is not None:
                failures.append(str(error))
                return
            with lock:
                acknowledged.add(message.offset())

        while not stop.is_set():
            for _ in range(random.randint(1, 12)):
                producer.produce(topic, value=b"x" * 200, on_delivery=delivered)
            producer.flush()
            time.sleep(random.random() * 0.005)
        producer.flush()

    read, jumps = set(), []
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": topic, "fetch.wait.max.ms": 10,
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    producers = [threading.Thread(target=produce) for _ in range(6)]
    for thread in producers:
        thread.start()
    ends = time.monotonic() + seconds
    last = None
    while time.monotonic() < ends:
        message = consumer.poll(0.1)
        if message is None or message.error():
            continue
        if last is not None and message.offset() != last + 1:
            jumps.append((last, message.offset()))
        last = message.offset()
        read.add(last)
    stop.set()
    for thread in producers:
        thread.join()
    consumer.close()
    lost = sorted(offset for offset in acknowledged if last is not None and offset < last and offset not in read)
    print(f"{len(acknowledged)} records acknowledged, {len(read)} read by one consumer in {seconds:.0f} s")
    for before, after in jumps:
        print(f"  the consumer read offset {before}, then {after}: offsets {before + 1}-{after - 1} skipped")
    print(f"{len(lost)} acknowledged records below the last one read were never returned to the consumer")
    if failures:
        print(f"{len(failures)} deliveries failed, e.g. {failures[0]}")
    return 1 if lost else 0


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def listing(brokers, pid):
    topic = f"flaw-listing-{int(time.time())}"
    new_topic(brokers, topic)
    stop, read = threading.Event(), [0]

    def follow():
        consumer = Consumer({"bootstrap.servers": brokers, "group.id": topic, "fetch.wait.max.ms": 10,
                             "enable.auto.commit": False})
        consumer.assign([TopicPartition(topic, 0, OFFSET_END)])
        while not stop.is_set():
            message = consumer.poll(0.1)
            if message is not None and not message.error():
                read[0] += 1
        consumer.close()

    follower = threading.Thread(target=follow)
    follower.start()
    time.sleep(2)
    producer = Producer({"bootstrap.servers": brokers, "acks": "all", "linger.ms": 0})
    batches = 0
    for size in [0, 5000, 10000, 20000]:
        while batches < size:  # one record per produce request: one batch each
            producer.produce(topic, value=b"x" * 100)
            producer.flush()
            batches += 1
        started, cpu = time.monotonic(), cpu_seconds(pid)
        for index in range(500):
            producer.produce(topic, value=b"y" * 100)
            producer.flush()
            batches += 1
            time.sleep(max(0.0, started + (index + 1) / 100 - time.monotonic()))
        share = (cpu_seconds(pid) - cpu) / (time.monotonic() - started)
        print(f"{batches - 500:6d} batches in the partition: broker CPU {100 * share:5.1f} % of a core while 100 "
              f"batches/s are produced and followed; the follower {batches - read[0]} records behind", flush=True)
    stop.set()
    follower.join()
    return 0


def main():
    check, brokers, pid, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    sys.exit(skip(brokers, seconds) if check == "skip" else listing(brokers, pid))


if __name__ == "__main__":
    main()
