import SagaContracts

/// The contracts' `ReplyOutcome` under a name that does not clash with the engine's
/// `SagaEngine.ReplyOutcome` in files that import both (the module name `SagaContracts` is
/// shadowed by its enum of the same name, so it cannot qualify the type).
public typealias ContractOutcome = ReplyOutcome
