import CRdKafka
import Logging

/// Rebalances, served on the event thread inside `rd_kafka_consumer_poll` (or the close).
/// Static: librdkafka's callback is set up before the core exists.
extension ConsumerCore {
    static func rebalance(
        _ rk: OpaquePointer, _ err: rd_kafka_resp_err_t, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
        machine: ConditionLock<Machine>, round: PollRound, logger: Logger
    ) {
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        let changed = TopicPartitionList.read(partitions)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            logger.info("Kafka consumer assigned \(changed.map(\.description).joined(separator: ", "))",
                        metadata: ["protocol": "\(cooperative ? "cooperative" : "eager")"])
            let call = machine.withLock { $0.partitionsAssigned(changed, cooperative: cooperative) }
            perform(call, rk, partitions, logger: logger)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let revoked = Set(changed)
            let lost = rd_kafka_assignment_lost(rk) != 0
            logger.info("Kafka consumer \(lost ? "lost" : "revoked") \(changed.map(\.description).joined(separator: ", "))")
            // Not yet processed: the next owner gets them from the committed offset.
            round.messages.removeAll { queued in
                guard let queued else { return true }
                guard revoked.contains(queued.topicPartition) else { return false }
                queued.destroy()
                return true
            }
            for queued in machine.withLock({ $0.revokeStarted(revoked) }) { queued.destroy() }
            // A `run` handler still working on a revoked partition finishes first (its offset is
            // recorded while the partition still counts as assigned) and is committed below,
            // instead of the message going to the next owner too. A store in flight on another
            // thread finishes first too, so every recorded offset is committed.
            let finish = machine.wait(until: { $0.revokeMayFinish }, then: {
                $0.revokeFinishing(revoked, cooperative: cooperative, lost: lost)
            })
            if let offsets = finish.offsets, let error = store(offsets, handle: rk, machine: machine) {
                logger.warning("Kafka consumer could not store processed offsets on revoke: \(error)")
            }
            if finish.commit {
                let result = rd_kafka_commit(rk, nil, 0)  // the processed offsets, before giving the partitions up
                if result != RD_KAFKA_RESP_ERR_NO_ERROR && result != RD_KAFKA_RESP_ERR__NO_OFFSET {
                    logger.warning("Kafka consumer commit on revoke: \(KafkaError(result, operation: "commit"))")
                }
            }
            perform(finish.call, rk, partitions, logger: logger)
        default:
            logger.error("Kafka consumer rebalance error: \(KafkaError(err, operation: "rebalance"))")
            perform(machine.withLock { $0.rebalanceFailed() }, rk, partitions, logger: logger)
        }
    }

    private static func perform(
        _ call: Machine.RebalanceCall, _ rk: OpaquePointer, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
        logger: Logger
    ) {
        switch call {
        case .assign:
            let result = rd_kafka_assign(rk, partitions)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR { logger.error("Kafka consumer assign: \(KafkaError(result, operation: "assign"))") }
        case .incrementalAssign:
            if let error = rd_kafka_incremental_assign(rk, partitions) {
                logger.error("Kafka consumer assign: \(KafkaError(consuming: error, operation: "assign"))")
            }
        case .unassign:
            _ = rd_kafka_assign(rk, nil)
        case .incrementalUnassign:
            if let error = rd_kafka_incremental_unassign(rk, partitions) {
                logger.error("Kafka consumer unassign: \(KafkaError(consuming: error, operation: "unassign"))")
            }
        }
    }
}
