// The console's shell: sign-in with a token, navigation between views by the URL's #fragment.
import { clearToken, onUnauthorized, request, setToken, token } from "./api.js";
import { replace, showError, status } from "./ui.js";
import { parkedView, sagasView } from "./sagas.js";
import { sagaView } from "./saga.js";
import { deadLettersView } from "./deadletters.js";
import { auditView } from "./audit.js";

const view = document.getElementById("view");
const login = document.getElementById("login");
const loginError = document.getElementById("login-error");
const nav = document.getElementById("nav");
const signOut = document.getElementById("sign-out");
let stopView = null;

function showLogin(error) {
  stopView?.();
  stopView = null;
  replace(view);
  nav.hidden = true;
  signOut.hidden = true;
  login.hidden = false;
  showError(loginError, error);
  const input = document.getElementById("token");
  input.focus();
  input.select();   // a refused token is replaced by what is typed next
}

function route() {
  if (!token()) return showLogin(null);
  login.hidden = true;
  nav.hidden = false;
  signOut.hidden = false;
  stopView?.();
  stopView = null;
  const [path, queryText] = (location.hash.slice(1) || "/sagas").split("?");
  const query = new URLSearchParams(queryText ?? "");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const name = parts[0] ?? "sagas";
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (name === "sagas" && parts[1]) sagaView(view, parts[1]);
  else if (name === "sagas") stopView = sagasView(view, query);
  else if (name === "parked") parkedView(view, query);
  else if (name === "dead-letters") deadLettersView(view, query);
  else if (name === "audit") auditView(view, query);
  else replace(view, `There is no view “${name}”. Choose one above.`);
  document.getElementById("main").focus({ preventScroll: true });
}

document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("token");
  const value = input.value.trim();
  if (!value) return showError(loginError, new Error("Paste a token first."));
  setToken(value);
  try {
    await request("/sagas/counts");   // a route every viewer and operator may read: checks the token
    input.value = "";
    status("Signed in.");
    route();
  } catch (error) {
    clearToken();
    showLogin(error);
  }
});

signOut.addEventListener("click", () => {
  clearToken();
  status("Signed out.");
  showLogin(null);
});

onUnauthorized((error) => {
  clearToken();
  showLogin(error);
});

window.addEventListener("hashchange", route);
route();
