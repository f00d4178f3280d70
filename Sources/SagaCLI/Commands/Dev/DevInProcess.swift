import Foundation
import Logging
import SagaDev
import SagaSystem
import ServiceLifecycle

/// `sagactl dev` without `--processes`: every role (`all`) in this process, one service group.
struct DevInProcess {
    let context: DevContext

    func run() async throws {
        let options = context.options
        let environment = ProcessInfo.processInfo.environment.merging(context.sharedSettings) { $1 }
        let settings = try SagaServerSettings(environment: environment, overrides: [
            "SAGA_ROLE": Role.all.rawValue, "SAGA_DATA_DIR": context.data.url.path, "SAGA_DATABASE_PATH": "",
            "SAGA_HTTP_HOST": "127.0.0.1", "SAGA_HTTP_PORT": String(options.httpPort),
        ])
        let system = try await SagaSystem(settings: settings, logger: Logger(label: "saga.dev"))
        var workload: DemoWorkload?
        if options.demo, let accounts = system.components.accounts, let producer = system.components.producer {
            try await DemoWorkload.prepare(accounts)
            let starter = DirectSagaStarter(orders: system.components.orders, producer: producer, topics: settings.topics)
            workload = DemoWorkload(starter: starter, rate: options.rate)
        }
        let context = self.context
        let banner = DevBanner(context: context, mode: "in-process (every role in this process)")
        let group = system.serviceGroup(gracefulShutdownSignals: [], onListening: { host, port in
            StandardStreams.write(Array(banner.text(httpURL: "http://\(host):\(port)").utf8))
        })
        let storePath = settings.databasePath(for: .orchestrator)
        let workloadTask = workload.map { workload in Task { await workload.run() } }
        let summaryTask = Task { await context.reportSummaries(storePath: storePath) }
        let signalTask = Task {
            guard let signal = await context.firstSignal() else { return }
            StandardStreams.writeError("sagactl dev: \(signal) received, shutting down …")
            // The workload stops first, so nothing new starts while the services drain.
            workloadTask?.cancel()
            if let sent = await workloadTask?.value {
                StandardStreams.writeError("sagactl dev: demo workload stopped after \(sent.sent) request(s), \(sent.failed) failed")
            }
            await group.triggerGracefulShutdown()
        }
        var failure: (any Error)?
        do {
            try await group.run()
        } catch {
            failure = error
        }
        signalTask.cancel()
        workloadTask?.cancel()
        summaryTask.cancel()
        _ = await signalTask.value
        _ = await workloadTask?.value
        _ = await summaryTask.value
        if let store = system.components.orchestratorStore {
            do {
                StandardStreams.writeLine("final: \(try await SagaTally.read(store).summary)")
            } catch {
                StandardStreams.writeError("sagactl dev: cannot read the final counts: \(error)")
            }
        }
        if let failure { throw CLIError.failed("the system stopped with an error: \(failure)") }
        StandardStreams.writeError("sagactl dev: services stopped")
    }
}
