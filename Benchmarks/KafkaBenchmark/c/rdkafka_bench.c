/*
 * The C baseline of the Kafka benchmark: librdkafka called directly, with the settings the
 * Swift benchmark uses (acks=all, idempotence, the given linger, no compression; the consumer
 * with the Swift client's fetch.queue.backoff.ms). The consumer does the work the Swift client's
 * `run` guarantees: it copies each key and value into memory it owns (as the Swift API hands out
 * owned bytes), "handles" the message (reads the copy), frees it, and only then stores that
 * message's offset + 1 explicitly (enable.auto.offset.store=false, rd_kafka_offsets_store per
 * message; librdkafka commits stored offsets in the background, like the Swift client).
 * FETCH_QUEUE_BACKOFF_MS, if set, replaces fetch.queue.backoff.ms (as in the Swift program).
 * `consume-lean` is the loop without those guarantees (automatic offset store of every polled
 * message, no copy), printed for information: what at-least-once and owned bytes cost.
 *
 *   rdkafka_bench produce BROKERS TOPIC COUNT SIZE LINGER_MS [WINDOW]
 *   rdkafka_bench consume BROKERS TOPIC COUNT GROUP
 *   rdkafka_bench consume-lean BROKERS TOPIC COUNT GROUP
 *
 * Prints one line: RESULT messages=N bytes=B failed=F seconds=S
 * Producer time: first produce call until every delivery report arrived (flush). With WINDOW,
 * at most that many messages await their delivery reports at once (the next is produced when
 * one is reported): what WINDOW callers that each await their message's report can do.
 * Consumer time: first message received until the COUNT-th.
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long delivered = 0;
static long failed = 0;
static volatile unsigned char sink;

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
        char errstr[512];
        if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                fprintf(stderr, "rdkafka_bench: %s: %s\n", name, errstr);
                exit(2);
        }
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
        (void)rk;
        (void)opaque;
        if (message->err)
                failed++;
        else
                delivered++;
}

static int produce(const char *brokers, const char *topic, long count, size_t size, const char *linger, long window) {
        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        set(conf, "bootstrap.servers", brokers);
        set(conf, "acks", "all");
        set(conf, "enable.idempotence", "true");
        set(conf, "compression.type", "none");
        set(conf, "linger.ms", linger);
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rdkafka_bench: %s\n", errstr);
                return 2;
        }
        char *payload = malloc(size);
        memset(payload, 'x', size);

        double start = now();
        for (long i = 0; i < count; i++) {
                rd_kafka_resp_err_t err;
                while (window > 0 && i - delivered - failed >= window)
                        rd_kafka_poll(rk, 1); /* serve delivery reports until one is out of the window */
                while ((err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(payload, size),
                                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
                       RD_KAFKA_RESP_ERR__QUEUE_FULL)
                        rd_kafka_poll(rk, 10); /* serve delivery reports until there is room */
                if (err) {
                        fprintf(stderr, "rdkafka_bench: produce: %s\n", rd_kafka_err2str(err));
                        failed++;
                }
                rd_kafka_poll(rk, 0);
        }
        rd_kafka_flush(rk, 120 * 1000);
        double seconds = now() - start;

        printf("RESULT messages=%ld bytes=%ld failed=%ld seconds=%.6f\n", delivered, delivered * (long)size,
               failed + (count - delivered - failed), seconds);
        free(payload);
        rd_kafka_destroy(rk);
        return delivered == count ? 0 : 1;
}

static int consume(const char *brokers, const char *topic, long count, const char *group, int lean) {
        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        set(conf, "bootstrap.servers", brokers);
        set(conf, "group.id", group);
        set(conf, "auto.offset.reset", "earliest");
        set(conf, "session.timeout.ms", "6000");
        set(conf, "heartbeat.interval.ms", "500");
        /* The Swift client's consumer default (see KafkaConfiguration): same settings on both sides. */
        set(conf, "fetch.queue.backoff.ms", getenv("FETCH_QUEUE_BACKOFF_MS") ? getenv("FETCH_QUEUE_BACKOFF_MS") : "10");
        /* At least once, as the Swift client: store an offset only after its message was handled. */
        if (!lean)
                set(conf, "enable.auto.offset.store", "false");
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rdkafka_bench: %s\n", errstr);
                return 2;
        }
        rd_kafka_poll_set_consumer(rk);
        rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
        rd_kafka_subscribe(rk, topics);
        rd_kafka_topic_partition_list_destroy(topics);

        long received = 0, bytes = 0;
        double start = 0;
        while (received < count) {
                rd_kafka_message_t *message = rd_kafka_consumer_poll(rk, 1000);
                if (!message)
                        continue;
                if (!message->err && lean) {
                        if (received == 0)
                                start = now();
                        received++;
                        bytes += (long)message->len;
                } else if (!message->err) {
                        if (received == 0)
                                start = now();
                        /* Owned copies of key and value, as the Swift consumer hands out. */
                        unsigned char *key = NULL, *value = NULL;
                        if (message->key) {
                                key = malloc(message->key_len ? message->key_len : 1);
                                memcpy(key, message->key, message->key_len);
                        }
                        if (message->payload) {
                                value = malloc(message->len ? message->len : 1);
                                memcpy(value, message->payload, message->len);
                        }
                        size_t len = message->len;
                        rd_kafka_topic_partition_list_t *next = rd_kafka_topic_partition_list_new(1);
                        rd_kafka_topic_partition_list_add(next, rd_kafka_topic_name(message->rkt), message->partition)
                            ->offset = message->offset + 1;
                        rd_kafka_message_destroy(message);
                        /* The "handler": uses its copy (volatile, so the copy cannot be optimised away). */
                        received++;
                        bytes += (long)len;
                        if (value && len)
                                sink += value[len - 1];
                        free(key);
                        free(value);
                        rd_kafka_resp_err_t err = rd_kafka_offsets_store(rk, next);
                        rd_kafka_topic_partition_list_destroy(next);
                        if (err) {
                                fprintf(stderr, "rdkafka_bench: offsets_store: %s\n", rd_kafka_err2str(err));
                                return 1;
                        }
                        continue;
                }
                rd_kafka_message_destroy(message);
        }
        double seconds = now() - start;
        printf("RESULT messages=%ld bytes=%ld failed=0 seconds=%.6f\n", received, bytes, seconds);
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
        return 0;
}

int main(int argc, char **argv) {
        if ((argc == 7 || argc == 8) && !strcmp(argv[1], "produce"))
                return produce(argv[2], argv[3], atol(argv[4]), (size_t)atol(argv[5]), argv[6], argc == 8 ? atol(argv[7]) : 0);
        if (argc == 6 && !strcmp(argv[1], "consume"))
                return consume(argv[2], argv[3], atol(argv[4]), argv[5], 0);
        if (argc == 6 && !strcmp(argv[1], "consume-lean"))
                return consume(argv[2], argv[3], atol(argv[4]), argv[5], 1);
        if (argc == 2 && !strcmp(argv[1], "version")) {
                printf("%s\n", rd_kafka_version_str());
                return 0;
        }
        fprintf(stderr, "usage: rdkafka_bench produce BROKERS TOPIC COUNT SIZE LINGER_MS [WINDOW] | consume[-lean] BROKERS TOPIC COUNT GROUP\n");
        return 2;
}
