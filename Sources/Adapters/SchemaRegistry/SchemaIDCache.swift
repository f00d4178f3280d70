import Avro
import Synchronization

/// Schemas by registry id, kept forever (an id's schema never changes), with one fetch in
/// flight per id: concurrent requests for an id wait for the same fetch. A failed fetch is
/// forgotten, so the next request tries again.
final class SchemaIDCache: Sendable {
    struct State {
        var known: [Int32: AvroSchema] = [:]
        var inFlight: [Int32: Task<AvroSchema, any Error>] = [:]
    }

    enum Lookup {
        case known(AvroSchema)
        case waiting(Task<AvroSchema, any Error>)
    }

    private let state = Mutex(State())

    /// The schema if it is known.
    func cached(id: Int32) -> AvroSchema? { state.withLock { $0.known[id] } }

    /// Records a schema learned another way (a register or lookup answer).
    func store(_ schema: AvroSchema, id: Int32) { state.withLock { $0.known[id] = schema } }

    /// The schema with this id: known, or fetched by `fetch` once for all concurrent callers.
    func schema(id: Int32, fetch: @escaping @Sendable () async throws(SchemaRegistryError) -> AvroSchema) async throws(SchemaRegistryError) -> AvroSchema {
        let lookup = state.withLock { state -> Lookup in
            if let known = state.known[id] { return .known(known) }
            if let task = state.inFlight[id] { return .waiting(task) }
            let task = Task<AvroSchema, any Error> {
                do {
                    let schema = try await fetch()
                    self.state.withLock {
                        $0.known[id] = schema
                        $0.inFlight[id] = nil
                    }
                    return schema
                } catch {
                    self.state.withLock { $0.inFlight[id] = nil }
                    throw error
                }
            }
            state.inFlight[id] = task
            return .waiting(task)
        }
        switch lookup {
        case .known(let schema):
            return schema
        case .waiting(let task):
            do {
                return try await task.value
            } catch let error as SchemaRegistryError {
                throw error
            } catch {
                // The fetch throws only SchemaRegistryError; anything else is cancellation.
                throw SchemaRegistryError(.unavailable("the fetch of schema \(id) ended with \(error)"), operation: "GET /schemas/ids/\(id)", registry: "")
            }
        }
    }
}
