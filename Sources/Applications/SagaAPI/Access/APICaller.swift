/// Who is calling: the holder of the request's bearer token, set by ``AuthenticationMiddleware``
/// for the rest of the request (a task local), so capabilities can record who did what (the
/// audit trail) and ``Upstream`` can forward the caller's credentials to another role.
public struct APICaller: Sendable, Hashable {
    /// The token holder's name (`anonymous` with authentication disabled).
    public var name: String
    /// The token's role (nil with authentication disabled: everything is allowed).
    public var role: APIRole?
    /// The request's `Authorization` header as it came, to forward upstream; never logged.
    var authorization: String?

    /// Creates a caller.
    public init(name: String, role: APIRole?, authorization: String? = nil) {
        self.name = name
        self.role = role
        self.authorization = authorization
    }

    /// The caller of the current request, if it went through ``AuthenticationMiddleware``.
    @TaskLocal public static var current: APICaller?
}
