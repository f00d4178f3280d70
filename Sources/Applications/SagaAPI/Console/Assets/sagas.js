// The saga list (filters, counts, live refresh, paging) and the parked sagas.
import { request, withQuery } from "./api.js";
import { errorArea, field, h, replace, showError, state, status, table, time } from "./ui.js";
import { retrySaga, resolveSaga } from "./actions.js";

const states = ["running", "compensating", "completed", "compensated", "failed"];
const filterNames = ["type", "state", "step", "failureCode", "idPrefix", "since", "until"];

/** #/sagas?type=&state=…: the list. Returns a function that stops its live refresh. */
export function sagasView(container, query) {
  const filters = Object.fromEntries(filterNames.map((name) => [name, query.get(name) ?? ""]));
  const cursors = [null];   // the cursor of each page seen; the last is the current page's
  const error = errorArea();
  const counts = h("div", { class: "counts" });
  const results = h("div", { class: "results" });
  const next = h("button", { type: "button", hidden: true }, "Next page");
  const first = h("button", { type: "button", hidden: true }, "First page");
  const live = h("input", { type: "checkbox", id: "live-refresh" });
  let timer = null;

  const control = (name, attributes = {}) => h("input", { id: `filter-${name}`, name, value: filters[name], ...attributes });
  const stateSelect = h("select", { id: "filter-state", name: "state" },
    h("option", { value: "" }, "any"), states.map((s) => h("option", { value: s, selected: s === filters.state }, s)));
  const typeList = h("datalist", { id: "saga-types" });
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter sagas" },
    field("Type", control("type", { list: "saga-types", placeholder: "order, transfer…" })), typeList,
    field("State", stateSelect),
    field("Step", control("step", { placeholder: "creditPayee" })),
    field("Failure code", control("failureCode", { placeholder: "PAYMENT_DECLINED" })),
    field("Id prefix", control("idPrefix")),
    field("Since", control("since", { placeholder: "30m or 2026-11-21T06:00:00Z" })),
    field("Until", control("until")),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, "Apply filters"),
      h("button", { type: "button", onclick: () => { location.hash = "#/sagas"; } }, "Clear")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    location.hash = withQuery("#/sagas", Object.fromEntries(filterNames.map((name) => [name, data.get(name)?.trim() ?? ""])));
  });

  async function load({ quiet = false } = {}) {
    try {
      const [page, totals] = await Promise.all([
        request(withQuery("/sagas", { ...filters, limit: 50, cursor: cursors.at(-1) })),
        request("/sagas/counts"),
      ]);
      showError(error, null);
      replace(counts, countTables(totals));
      replace(typeList, Object.keys(totals.byType).map((type) => h("option", { value: type })));
      replace(results, sagaTable(page.sagas, "Sagas, newest first"));
      next.hidden = !page.next;
      next.onclick = () => { cursors.push(page.next); load(); };
      first.hidden = cursors.length === 1;
      status(`${quiet ? "Refreshed" : "Loaded"} at ${new Date().toLocaleTimeString()}: ${page.sagas.length} saga(s) on this page, ${totals.total} in all.`);
    } catch (failure) {
      showError(error, failure);
    }
  }
  first.onclick = () => { cursors.splice(1); load(); };
  live.addEventListener("change", () => {
    clearInterval(timer);
    timer = live.checked ? setInterval(() => load({ quiet: true }), 5000) : null;
    status(live.checked ? "Live refresh on: every 5 seconds." : "Live refresh off.");
  });

  replace(container,
    h("h2", {}, "Sagas"), form,
    h("div", { class: "toolbar" }, h("label", { for: "live-refresh", class: "check" }, live, " Refresh every 5 seconds")),
    error, counts, results, h("div", { class: "pager" }, first, next));
  load();
  return () => clearInterval(timer);
}

function countTables(totals) {
  const link = (query, text) => h("a", { href: withQuery("#/sagas", query) }, String(text));
  return [
    table("Sagas by state", ["State", "Sagas"], states.map((s) => [state(s), link({ state: s }, totals.byState[s] ?? 0)])),
    table("Sagas by type", ["Type", ...states], Object.entries(totals.byType).map(([type, byState]) =>
      [link({ type }, type), ...states.map((s) => (byState[s] ? link({ type, state: s }, byState[s]) : "0"))])),
  ];
}

/** A table of saga reports, each id a link to its page; `actions(saga)` adds a last column. */
export function sagaTable(sagas, caption, actions) {
  const headings = ["Saga", "Type", "State", "Step", "Attempt", "Failure", "Updated"];
  return table(caption, actions ? [...headings, "Actions"] : headings, sagas.map((saga) => [
    h("a", { href: `#/sagas/${encodeURIComponent(saga.sagaId)}`, class: "id" }, saga.sagaId),
    saga.type, state(saga.state), saga.currentStep, String(saga.attempt), saga.failureReason ?? "",
    time(saga.updatedAt), ...(actions ? [actions(saga)] : []),
  ]), { empty: "no saga matches." });
}

/** #/parked: sagas in state failed, each with retry and resolve. */
export function parkedView(container, query) {
  const error = errorArea();
  const results = h("div", { class: "results" });
  const typeInput = h("input", { id: "parked-type", name: "type", value: query.get("type") ?? "", placeholder: "any type" });
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter parked sagas" },
    field("Type", typeInput), h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Apply filter")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = withQuery("#/parked", { type: typeInput.value.trim() });
  });
  // After an action the status line keeps what the action did.
  async function load({ announce = true } = {}) {
    try {
      const page = await request(withQuery("/sagas", { state: "failed", type: query.get("type"), limit: 200 }));
      showError(error, null);
      replace(results, sagaTable(page.sagas, "Parked sagas (state failed): they wait for an operator", (saga) =>
        h("div", { class: "row-actions" },
          h("button", { type: "button", onclick: () => retrySaga(saga.sagaId).then((done) => done && load({ announce: false })) }, "Retry…"),
          h("button", { type: "button", onclick: () => resolveSaga(saga.sagaId).then((done) => done && load({ announce: false })) }, "Resolve…"))));
      if (announce) status(`${page.sagas.length} parked saga(s).`);
    } catch (failure) {
      showError(error, failure);
    }
  }
  replace(container, h("h2", {}, "Parked sagas"),
    h("p", {}, "A saga parks (state failed) when it can neither go on nor be undone by itself: an uncertain pivot, a compensation that failed for good. Retry sends the stuck step's request again; resolve declares the step done by hand, with a note for the audit trail."),
    form, error, results);
  load();
}
