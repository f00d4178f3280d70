// Dead letters: topics → groups → letters; replay one, a group or all; edit and replay.
import { request, withQuery } from "./api.js";
import { dialog, errorArea, field, h, json, replace, showError, status, table, time } from "./ui.js";

/** #/dead-letters[?topic=T[&group=G]]. */
export function deadLettersView(container, query) {
  const topic = query.get("topic");
  const group = query.get("group");
  const error = errorArea();
  const body = h("div", {});
  const crumbs = [h("a", { href: "#/dead-letters" }, "Dead-letter topics")];
  if (topic) crumbs.push(" › ", h("a", { href: withQuery("#/dead-letters", { topic }) }, topic));
  if (group) crumbs.push(" › ", `group ${group}`);
  replace(container, h("h2", {}, "Dead letters"), h("nav", { "aria-label": "Where you are", class: "crumbs" }, crumbs), error, body);
  const show = (promise) => promise.catch((failure) => showError(error, failure));
  if (!topic) show(topics(body));
  else if (!group) show(groups(body, topic, error));
  else show(letters(body, topic, group, error));
}

async function topics(body) {
  const answer = await request("/dead-letters/topics");
  replace(body, table("Dead-letter topics", ["Topic", "Source topic", "Letters"], answer.topics.map((t) => [
    h("a", { href: withQuery("#/dead-letters", { topic: t.topic }) }, t.topic), t.source, String(t.count),
  ]), { empty: "no dead letters." }));
  status(`${answer.topics.length} dead-letter topic(s).`);
}

// A reload after an action keeps the action's answer in the status line instead of the count.
async function groups(body, topic, error, cursor = null, announce = true) {
  const [answer, replays] = await Promise.all([
    request(withQuery("/dead-letters/groups", { topic, limit: 50, cursor })),
    request(withQuery("/dead-letters/replays", { topic })).catch((failure) => failure),
  ]);
  const reload = () => groups(body, topic, error, cursor, false).catch((failure) => showError(error, failure));
  const more = answer.next
    ? h("button", { type: "button", onclick: () => groups(body, topic, error, answer.next).catch((f) => showError(error, f)) }, "Next page")
    : null;
  replace(body,
    h("div", { class: "row-actions" },
      h("button", { type: "button", onclick: () => confirmReplay(`Replay every letter of ${topic}?`, { topic, all: true }).then((d) => d && reload()) },
        "Replay all letters…")),
    table(`Groups of ${topic} (letters sharing a cause)`, ["Cause", "Error type", "Letters", "First", "Last", "Actions"], answer.groups.map((g) => [
      h("a", { href: withQuery("#/dead-letters", { topic, group: g.id }) }, g.cause), g.errorType, String(g.count), time(g.firstAt), time(g.lastAt),
      h("button", { type: "button", onclick: () => confirmReplay(`Replay the ${g.count} letter(s) of group “${g.cause}”?`, { topic, group: g.id }).then((d) => d && reload()) },
        "Replay group…"),
    ]), { empty: "no letters." }),
    h("div", { class: "pager" }, more),
    replays instanceof Error ? h("p", { class: "error-text" }, replays.message) : replayTable(replays.replays));
  if (announce) status(`${answer.groups.length} group(s) ${answer.next ? "shown" : "in " + topic}.`);
}

function replayTable(replays) {
  return table("Replays", ["Replay", "Letter", "At", "By", "Outcome"], replays.map((r) => [
    h("code", {}, r.replayId), h("code", {}, r.letterId), time(r.at), r.actor, r.outcome,
  ]), { empty: "none yet." });
}

async function letters(body, topic, group, error, cursor = null, announce = true) {
  const answer = await request(withQuery("/dead-letters/letters", { topic, group, limit: 50, cursor }));
  const reload = () => letters(body, topic, group, error, cursor, false).catch((failure) => showError(error, failure));
  const more = answer.next
    ? h("button", { type: "button", onclick: () => letters(body, topic, group, error, answer.next).catch((f) => showError(error, f)) }, "Next page")
    : null;
  replace(body,
    h("h3", {}, `Letters of group ${group}`),
    answer.letters.length === 0 ? h("p", { class: "empty" }, "No letters.") : h("ul", { class: "letters" }, answer.letters.map((letter) => h("li", { class: "letter" },
      h("div", { class: "entry-head" }, h("code", {}, letter.id), " ", time(letter.at)),
      h("dl", { class: "facts" },
        h("dt", {}, "Key"), h("dd", {}, letter.key ?? "—"),
        h("dt", {}, "Cause"), h("dd", {}, letter.cause),
        h("dt", {}, "Error type"), h("dd", {}, letter.errorType),
        h("dt", {}, "Source topic"), h("dd", {}, letter.sourceTopic)),
      letter.decodeError ? h("p", { class: "error-text" }, `Value not decoded: ${letter.decodeError}`) : null,
      letter.value !== null && letter.value !== undefined ? json("Value (JSON)", letter.value) : json("Value (base64)", letter.valueBase64),
      json("Headers", letter.headers),
      h("div", { class: "row-actions" },
        h("button", { type: "button", onclick: () => confirmReplay(`Replay letter ${letter.id}?`, { topic, letters: [letter.id] }).then((d) => d && reload()) }, "Replay…"),
        h("button", { type: "button", onclick: () => editAndReplay(letter).then((d) => d && reload()) }, "Edit and replay…"))))),
    h("div", { class: "pager" }, more));
  if (announce) status(`${answer.letters.length} letter(s) shown.`);
}

function confirmReplay(title, selection) {
  const note = h("input", { id: "replay-note", name: "note", maxlength: 2000 });
  return dialog({
    title,
    content: [
      h("p", {}, `The letters are published again to their source topic. Each replay is recorded in the audit trail.`),
      field("Note (optional)", note),
    ],
    confirmLabel: "Replay",
    onConfirm: async () => {
      const body = { ...selection, ...(note.value.trim() ? { note: note.value.trim() } : {}) };
      const answer = await request("/dead-letters/replays", { method: "POST", body });
      const outcomes = answer.letters.map((l) => l.outcome).join(", ");
      status(`Replayed ${answer.replayed} letter(s)${outcomes ? `: ${outcomes}` : ""}.`);
    },
  });
}

function editAndReplay(letter) {
  const editor = h("textarea", { id: "letter-value", name: "value", rows: 14, spellcheck: "false", class: "code" },
    letter.value !== null && letter.value !== undefined ? JSON.stringify(letter.value, null, 2) : "");
  const note = h("input", { id: "edit-note", name: "note", maxlength: 2000 });
  return dialog({
    title: `Edit and replay ${letter.id}`,
    content: [
      h("p", {}, `Write the record's value as JSON of its schema; it is checked, encoded and published to ${letter.sourceTopic}.`),
      letter.decodeError ? h("p", { class: "error-text" }, `The letter as it is could not be decoded: ${letter.decodeError}`) : null,
      field("Value (JSON)", editor, "Ctrl+Enter replays."),
      field("Note (optional)", note),
    ],
    confirmLabel: "Replay edited value",
    onConfirm: async () => {
      let value;
      try {
        value = JSON.parse(editor.value);
      } catch (failure) {
        editor.focus();
        throw new Error(`The value is not valid JSON: ${failure.message}`);
      }
      const body = { value, ...(note.value.trim() ? { note: note.value.trim() } : {}) };
      const answer = await request(`/dead-letters/letters/${encodeURIComponent(letter.id)}/edit-and-replay`, { method: "POST", body });
      status(`Edited letter ${answer.id} replayed: ${answer.outcome}.`);
    },
  });
}
