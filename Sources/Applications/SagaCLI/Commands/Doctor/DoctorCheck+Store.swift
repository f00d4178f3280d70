import Foundation
import SagaCore

extension DoctorCheck {
    /// The check of one store (a SQLite file or a PostgreSQL schema) from what was read of it: its
    /// migrations, pending outbox rows and sagas by status. `kind` is what the store is (`store`,
    /// `schema`) and `owner` who migrates it and publishes its outbox (`the service that owns it`).
    static func store(_ name: String, _ inspection: SagaStoreInspection, kind: String, owner: String, now: Date) -> DoctorCheck {
        var parts = ["schema \(inspection.appliedMigrations.count)/\(inspection.knownMigrations.count) migrations"]
        parts.append("\(inspection.pendingOutbox) outbox row(s) pending" + (inspection.oldestPendingOutbox.map {
            ", oldest \(Int(now.timeIntervalSince($0))) s old"
        } ?? ""))
        if !inspection.sagasByStatus.isEmpty {
            parts.append("sagas " + inspection.sagasByStatus.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        let detail = parts.joined(separator: "; ")
        if !inspection.unknownMigrations.isEmpty {
            return .fail(name, detail + "; migrations unknown to this build: " + inspection.unknownMigrations.joined(separator: ", "),
                         fix: "a newer version wrote this \(kind): run that version (or a newer sagactl)")
        }
        if !inspection.missingMigrations.isEmpty {
            return .warn(name, detail + "; not yet migrated: " + inspection.missingMigrations.joined(separator: ", "),
                         fix: "start \(owner) once: it applies the migrations")
        }
        if let oldest = inspection.oldestPendingOutbox, now.timeIntervalSince(oldest) > 60 {
            return .warn(name, detail, fix: "outbox rows older than a minute are not being published: is \(owner) running and the broker reachable?")
        }
        return .ok(name, detail)
    }
}
