import Foundation
import Logging
import SagaDev
import SagaSQLite
import SagaObservability
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
        let system = try await SagaSystem(settings: settings, metrics: MetricsBootstrap.bootstrap(), logger: Logger(label: "saga.dev"))
        if options.demo, let accounts = system.components.accounts { try await DemoWorkload.prepare(accounts) }
        let context = self.context
        let banner = DevBanner(context: context, mode: "in-process (every role in this process)")
        // The demo workload goes through the HTTP API, as a client would, once the server listens.
        let listening = AsyncStream<URL>.makeStream()
        let group = try system.serviceGroup(gracefulShutdownSignals: [], onListening: { host, port in
            StandardStreams.write(Array(banner.text(httpURL: "http://\(host):\(port)").utf8))
            if let url = URL(string: "http://\(host):\(port)") { listening.continuation.yield(url) }
            listening.continuation.finish()
        })
        let storePath = settings.databasePath(for: .orchestrator)
        let rate = options.rate
        let workloadTask: Task<(sent: Int, failed: Int), Never>? = options.demo ? Task {
            var iterator = listening.stream.makeAsyncIterator()
            guard let api = await iterator.next() else { return (0, 0) }
            return await DemoWorkload(starter: HTTPSagaStarter(baseURL: api, token: context.tokens.producer.token), rate: rate).run()
        } : nil
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
        if let store = system.components.orchestratorStore as? SQLiteSagaStore {
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
