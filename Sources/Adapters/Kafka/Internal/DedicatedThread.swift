#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts OS threads for work that blocks inside librdkafka (its polls, flush, close and
/// destroy), so that no Swift concurrency thread is ever blocked by a C call.
enum DedicatedThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// Starts a detached thread named `name` (shown by debuggers and `top -H`) that runs `body`.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        _ = name  // kept for call-site readability; thread naming is not portable
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let result = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<Body>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, box)
        if result != 0 {
            // No thread could be made (resource exhaustion): run inline rather than lose the work.
            Unmanaged<Body>.fromOpaque(box).takeRetainedValue().run()
            return
        }
        #if canImport(Glibc)
        pthread_detach(thread)
        #else
        if let thread { pthread_detach(thread) }
        #endif
    }

    /// Runs a blocking call on a fresh thread and suspends the caller until it returns.
    static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            start(name: name) { continuation.resume(returning: body()) }
        }
    }
}
