import SagaCore
import SagaKafka
import ServiceLifecycle

extension SagaSystem {
    /// How often the orchestrator role records `saga_instances` from its store.
    static let instancesInterval: Duration = .seconds(15)
    /// How often the orchestrator role records `saga_dead_letter_depth` from the broker.
    static let deadLetterDepthInterval: Duration = .seconds(30)

    /// The topics whose records may be dead-lettered: every topic the system consumes (all but
    /// the lifecycle events). The console lists their `.dlq` topics; the gauges count them.
    var deadLetterSources: [String] {
        let topics = settings.topics
        return topics.all.filter { $0 != topics.events }
    }

    /// The orchestrator role's (and `all`'s) gauges of state that is not the process's own:
    /// sagas by type and status from its store (``SagaInstanceGauges``) and the records each
    /// consumed topic's dead-letter topic retains (``DeadLetterDepthGauges``). Each records at
    /// once on start, then at its interval, until graceful shutdown.
    public func gaugeServices() -> [(name: String, service: any Service)] {
        guard let orchestrator = components.orchestrator, let store = components.orchestratorStore else { return [] }
        let metrics = SagaMetrics()
        let instances = SagaInstanceGauges(
            store: store, sagaTypes: orchestrator.registry.all.map(\.name), metrics: metrics, logger: logger
        )
        let depth = DeadLetterDepthGauges(admin: admin, topics: deadLetterSources, metrics: metrics, logger: logger)
        return [
            ("saga-instance-gauges", ConsumingService(name: "saga-instance-gauges") {
                await instances.report(every: Self.instancesInterval)
            }),
            ("dead-letter-depth-gauges", ConsumingService(name: "dead-letter-depth-gauges") {
                await depth.report(every: Self.deadLetterDepthInterval)
            }),
        ]
    }
}
