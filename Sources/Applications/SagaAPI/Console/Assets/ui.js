// Small DOM helpers shared by the views: elements, tables, times, JSON, status, dialogs.

/** An element: `h("a", {href: "#/x", class: "y"}, "text", child)`. Text is never parsed as HTML. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A table with a caption, column headings and rows of cells (strings or nodes). */
export function table(caption, headings, rows, { empty = "None." } = {}) {
  if (rows.length === 0) return h("p", { class: "empty" }, `${caption}: ${empty}`);
  return h("table", {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headings.map((heading) => h("th", { scope: "col" }, heading)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell))))));
}

/** A time as the reader's local `2026-11-21 07:50:01.120`, with the ISO text kept in a <time>. */
export function time(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (n) => String(n).padStart(2, "0");
  const text = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} `
    + `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, "0")}`;
  return h("time", { datetime: iso, title: iso }, text);
}

/** A state badge (`failed` is shown as parked). */
export function state(name) {
  return h("span", { class: `state state-${name}` }, name === "failed" ? "failed (parked)" : name);
}

/** JSON in an expandable block, collapsed unless `open`. */
export function json(label, value, { open = false } = {}) {
  return h("details", { class: "json", open },
    h("summary", {}, label),
    h("pre", { tabindex: "0" }, JSON.stringify(value, null, 2)));
}

/** Replaces the children of `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** An area for an error that screen readers announce when it appears. */
export function errorArea() {
  return h("div", { class: "error", role: "alert" });
}

/** Shows `error`'s message (an APIError says what the API answered, in words) in `area`. */
export function showError(area, error) {
  replace(area, error ? (error.message || String(error)) : "");
  const fields = error?.fieldErrors ?? [];
  if (fields.length > 0) area.append(h("ul", {}, fields.map((f) => h("li", {}, h("code", {}, f.field), " ", f.message))));
}

/** Says `text` in the page's status line (a polite live region). */
export function status(text) {
  document.getElementById("status").textContent = text;
}

/** A labelled form control: `field("Step", h("input", {id: "step"}))`. */
export function field(label, control, hint) {
  const id = control.id;
  const hintID = hint ? `${id}-hint` : undefined;
  if (hintID) control.setAttribute("aria-describedby", hintID);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hint ? h("small", { id: hintID }, hint) : null);
}

/**
 * A modal dialog (Escape or Cancel closes it, focus returns to where it was). `content` are its
 * nodes between title and buttons; `onConfirm(form)` runs on the confirm button or Enter and may
 * throw: its error is shown in the dialog, which stays open. Resolves when the dialog closes,
 * to true when confirmed.
 */
export function dialog({ title, content = [], confirmLabel, danger = false, onConfirm }) {
  const element = document.getElementById("dialog");
  const opener = document.activeElement;
  const error = errorArea();
  const confirm = h("button", { type: "submit", class: danger ? "danger" : "primary" }, confirmLabel);
  const cancel = h("button", { type: "button" }, "Cancel");
  const form = h("form", { novalidate: true },
    h("h2", { id: "dialog-title" }, title), content, error,
    h("div", { class: "actions" }, cancel, confirm));
  replace(element, form);
  return new Promise((resolve) => {
    let confirmed = false;
    const close = () => element.close();
    cancel.addEventListener("click", close);
    element.addEventListener("close", () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(confirmed);
    }, { once: true });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      confirm.disabled = true;
      showError(error, null);
      try {
        await onConfirm(form);
        confirmed = true;
        close();
      } catch (failure) {
        showError(error, failure);
        confirm.disabled = false;
      }
    });
    form.addEventListener("keydown", (event) => {
      // Ctrl/Cmd+Enter confirms from a text area too (Enter alone adds a line there).
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit(confirm);
    });
    element.showModal();
    const first = form.querySelector("textarea, input, select") ?? confirm;
    first.focus();
  });
}
