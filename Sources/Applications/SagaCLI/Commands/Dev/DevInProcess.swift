import Foundation
import Logging
import SagaDev
import SagaCore
import SagaObservability
import SagaSystem
import ServiceLifecycle

/// `sagactl dev` without `--processes`: every role (`all`) in this process, one service group.
struct DevInProcess {
    let context: DevContext

    func run() async throws {
        let options = context.options
        let environment = ProcessInfo.processInfo.environment.merging(context.sharedSettings) { $1 }
        var overrides = [
            "SAGA_ROLE": Role.all.rawValue, "SAGA_DATA_DIR": context.data.url.path, "SAGA_DATABASE_PATH": "",
            "SAGA_HTTP_HOST": "127.0.0.1", "SAGA_HTTP_PORT": String(options.httpPort),
        ]
        if let database = options.database { overrides.merge(database.allRoleSettings) { $1 } }
        let settings = try SagaServerSettings(environment: environment, overrides: overrides)
        let system = try await SagaSystem(settings: settings, metrics: MetricsBootstrap.bootstrap(), logger: Logger(label: "saga.dev"))
        let context = self.context
        let banner = DevBanner(context: context, mode: "in-process (every role in this process)")
        // The demo workload goes through the HTTP API, as a client would, once the server listens.
        let listening = AsyncStream<URL>.makeStream()
        let group = try system.serviceGroup(gracefulShutdownSignals: [], onListening: { host, port in
            StandardStreams.write(Array(banner.text(httpURL: "http://\(host):\(port)").utf8))
            if let url = URL(string: "http://\(host):\(port)") { listening.continuation.yield(url) }
            listening.continuation.finish()
        })
        let rate = options.rate
        let accounts = system.components.accounts
        // Prepared once the stores work (on PostgreSQL, once their pools run: when the server listens).
        let workloadTask: Task<(sent: Int, failed: Int), any Error>? = options.demo ? Task {
            var iterator = listening.stream.makeAsyncIterator()
            guard let api = await iterator.next() else { return (0, 0) }
            do {
                if let accounts { try await DemoWorkload.prepare(accounts) }
            } catch {
                StandardStreams.writeError("sagactl dev: cannot prepare the demo accounts: \(error); shutting down")
                await group.triggerGracefulShutdown()
                throw error
            }
            return await DemoWorkload(starter: HTTPSagaStarter(baseURL: api, token: context.tokens.producer.token), rate: rate).run()
        } : nil
        let store = system.components.orchestratorStore
        let summaryTask = Task {
            await context.reportSummaries {
                guard let store else { return nil }
                return try await SagaTally.read(store)
            }
        }
        let onPostgres = options.database != nil
        let signalTask = Task { () -> String? in
            guard let signal = await context.firstSignal() else { return nil }
            StandardStreams.writeError("sagactl dev: \(signal) received, shutting down …")
            // The workload stops first, so nothing new starts while the services drain.
            workloadTask?.cancel()
            if let sent = try? await workloadTask?.value {  // its failure was reported when it happened
                StandardStreams.writeError("sagactl dev: demo workload stopped after \(sent.sent) request(s), \(sent.failed) failed")
            }
            // PostgreSQL stores close with the group: their counts are read before it shuts down.
            let finalLine = onPostgres ? await Self.finalTally(store) : nil
            await group.triggerGracefulShutdown()
            return finalLine
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
        let earlyFinal = await signalTask.value
        if case .some(.failure(let error)) = await workloadTask?.result, failure == nil, !(error is CancellationError) { failure = error }
        _ = await summaryTask.value
        if let finalLine = onPostgres ? earlyFinal : await Self.finalTally(store) { StandardStreams.writeLine(finalLine) }
        if let failure { throw CLIError.failed("the system stopped with an error: \(failure)") }
        StandardStreams.writeError("sagactl dev: services stopped")
    }

    /// `final: <counts>` from the orchestrator's store, or nil (with the reason on standard error).
    static func finalTally(_ store: (any SagaReportStore)?) async -> String? {
        guard let store else { return nil }
        do {
            return "final: \(try await SagaTally.read(store).summary)"
        } catch {
            StandardStreams.writeError("sagactl dev: cannot read the final counts: \(error)")
            return nil
        }
    }
}
