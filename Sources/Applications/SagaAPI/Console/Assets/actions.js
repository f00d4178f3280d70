// The operator's actions on a parked saga, each behind a confirmation dialog.
import { request } from "./api.js";
import { dialog, field, h, status } from "./ui.js";

/** Asks for confirmation, then retries the saga. Resolves to true when it was retried. */
export function retrySaga(id) {
  return dialog({
    title: `Retry saga ${id}?`,
    content: [h("p", {}, "The saga sends its stuck step's request again and goes on. The attempt is recorded in the audit trail under your token's name.")],
    confirmLabel: "Retry",
    onConfirm: async () => {
      const answer = await request(`/sagas/${encodeURIComponent(id)}/retry`, { method: "POST" });
      status(`Retry of ${id}: ${answer.outcome}; the saga is now ${answer.state}.`);
    },
  });
}

/** Asks for a note and confirmation, then resolves the saga. Resolves to true when it was resolved. */
export function resolveSaga(id) {
  const note = h("textarea", { id: "resolve-note", name: "note", rows: 4, required: true, maxlength: 2000 });
  return dialog({
    title: `Resolve saga ${id}?`,
    content: [
      h("p", {}, "The stuck step counts as done by hand and the saga goes on. Say what was done: the note goes into the audit trail with your token's name."),
      field("Note (required)", note, "A ticket, what was checked or done. Ctrl+Enter confirms."),
    ],
    confirmLabel: "Resolve",
    danger: true,
    onConfirm: async () => {
      const text = note.value.trim();
      if (!text) {
        note.focus();
        throw new Error("Write a note first: it says why the step is resolved by hand.");
      }
      const answer = await request(`/sagas/${encodeURIComponent(id)}/resolve`, { method: "POST", body: { note: text } });
      status(`Resolve of ${id}: ${answer.outcome}; the saga is now ${answer.state}.`);
    },
  });
}
