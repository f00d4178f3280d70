// One saga: its report, its step history and its timeline.
import { request } from "./api.js";
import { errorArea, h, json, replace, showError, state, status, table, time } from "./ui.js";
import { retrySaga, resolveSaga } from "./actions.js";

/** #/sagas/{id}. */
export function sagaView(container, id) {
  const error = errorArea();
  const report = h("div", {});
  const timeline = h("section", { "aria-labelledby": "timeline-title" });
  replace(container, h("p", {}, h("a", { href: "#/sagas" }, "← All sagas")), h("h2", {}, "Saga ", h("code", {}, id)), error, report, timeline);

  // After an action the status line keeps what the action did.
  async function load({ announce = true } = {}) {
    try {
      const saga = await request(`/sagas/${encodeURIComponent(id)}`);
      showError(error, null);
      replace(report, saga.detailsRemovedAt ? removedSection(saga) : reportSection(saga, () => load({ announce: false })));
      if (announce) status(`Saga ${id}: ${saga.state}.`);
      if (saga.detailsRemovedAt) {
        replace(timeline);
        return;
      }
    } catch (failure) {
      showError(error, failure);
    }
    const timelineError = errorArea();
    replace(timeline, h("h3", { id: "timeline-title" }, "Timeline"), timelineError);
    try {
      const answer = await request(`/sagas/${encodeURIComponent(id)}/timeline`);
      timeline.append(timelineList(answer.entries));
    } catch (failure) {
      showError(timelineError, failure);
    }
  }
  load();
}

function reportSection(saga, reload) {
  const facts = [
    ["Type", saga.type], ["State", state(saga.state)], ["Phase", saga.phase], ["Current step", saga.currentStep],
    ["Attempt", String(saga.attempt)], ["Failure", saga.failureReason ?? "—"], ["Created", time(saga.createdAt)],
    ["Updated", time(saga.updatedAt)], ["Deadline", time(saga.deadline)],
  ];
  const actions = saga.state === "failed"
    ? h("div", { class: "row-actions" },
      h("button", { type: "button", onclick: () => retrySaga(saga.sagaId).then((done) => done && reload()) }, "Retry…"),
      h("button", { type: "button", onclick: () => resolveSaga(saga.sagaId).then((done) => done && reload()) }, "Resolve…"))
    : null;
  return [
    h("dl", { class: "facts" }, facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    actions,
    json("Saga data (JSON)", saga.data),
    table("Step history", ["#", "Phase", "Step", "Attempt", "Started", "Finished", "Outcome", "Error"], saga.history.map((step) => [
      String(step.sequence), step.phase, step.step, String(step.attempt), time(step.startedAt), time(step.finishedAt),
      step.outcome ?? "pending", step.error ?? "",
    ])),
  ];
}

/** A finished saga whose data, steps and timeline the retention removed: what its tombstone tells. */
function removedSection(saga) {
  const facts = [
    ["Type", saga.type], ["State", state(saga.state)], ["Created", time(saga.createdAt)], ["Updated", time(saga.updatedAt)],
    ["Details removed", time(saga.detailsRemovedAt)],
  ];
  return [
    h("dl", { class: "facts" }, facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    h("p", { class: "empty" }, "Its data, step history and timeline were removed after the retention of finished sagas."),
  ];
}

function timelineList(entries) {
  if (entries.length === 0) return h("p", { class: "empty" }, "No entries yet.");
  return h("ol", { class: "timeline" }, entries.map((entry) => h("li", { class: `entry kind-${entry.kind}` },
    h("div", { class: "entry-head" },
      time(entry.at), " ",
      h("span", { class: "kind" }, entry.kind), " ",
      h("strong", {}, entry.step ?? ""),
      entry.attempt ? ` attempt ${entry.attempt}` : "",
      entry.item !== undefined && entry.item !== null ? ` item ${entry.item}` : "",
      entry.outcome ? h("span", { class: "outcome" }, ` → ${entry.outcome}`) : ""),
    h("div", { class: "entry-meta" },
      entry.messageType ? h("code", {}, entry.messageType) : "", entry.topic ? [" on ", h("code", {}, entry.topic)] : ""),
    entry.detail ? h("p", {}, entry.detail) : null,
    entry.payloadError ? h("p", { class: "error-text" }, `Payload not decoded: ${entry.payloadError}`) : null,
    entry.payload !== null && entry.payload !== undefined ? json(`Payload of #${entry.sequence}`, entry.payload) : null)));
}
