// The audit trail: what operators did, newest first.
import { request, withQuery } from "./api.js";
import { errorArea, field, h, replace, showError, status, table, time } from "./ui.js";

const sagaID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** #/audit[?target=]. */
export function auditView(container, query) {
  const target = query.get("target") ?? "";
  const error = errorArea();
  const results = h("div", { class: "results" });
  const pager = h("div", { class: "pager" });
  const input = h("input", { id: "audit-target", name: "target", value: target, placeholder: "a saga id" });
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter the audit trail" },
    field("Target", input), h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Apply filter")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = withQuery("#/audit", { target: input.value.trim() });
  });
  const cursors = [null];
  async function load() {
    try {
      const page = await request(withQuery("/audit", { target, limit: 50, cursor: cursors.at(-1) }));
      showError(error, null);
      replace(results, table("Audit trail, newest first", ["#", "At", "Actor", "Role", "Action", "Target", "Note", "Outcome", "Detail"],
        page.entries.map((entry) => [
          String(entry.sequence), time(entry.at), entry.actor, entry.role ?? "—", entry.action,
          sagaID.test(entry.target) ? h("a", { href: `#/sagas/${encodeURIComponent(entry.target)}` }, entry.target) : h("code", {}, entry.target),
          h("span", { class: "text" }, entry.note ?? ""), entry.outcome, h("span", { class: "text" }, entry.detail ?? ""),
        ]), { empty: "no entries." }));
      replace(pager,
        cursors.length > 1 ? h("button", { type: "button", onclick: () => { cursors.splice(1); load(); } }, "Newest") : null,
        page.next ? h("button", { type: "button", onclick: () => { cursors.push(page.next); load(); } }, "Older entries") : null);
      status(`${page.entries.length} audit entr${page.entries.length === 1 ? "y" : "ies"} shown.`);
    } catch (failure) {
      showError(error, failure);
    }
  }
  replace(container, h("h2", {}, "Audit trail"), form, error, results, pager);
  load();
}
