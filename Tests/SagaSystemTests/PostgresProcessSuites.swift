import Testing

/// The multi-process tests on PostgreSQL (``SystemFailoverTests``: replicas SIGKILLed;
/// ``PostgresOutageTests``: the database stopped), one after the other. Each starts several
/// servers under a load of hundreds of sagas; side by side, with the rest of the suite, they
/// starved each other on 2 cores until a wait timed out.
@Suite(.serialized) enum PostgresProcessSuites {}
