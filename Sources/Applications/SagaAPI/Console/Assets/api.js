// The API client: the session's token, requests with it, and API errors in words.

const tokenKey = "swift-saga-console-token";

/** The token of this tab's session, or null. */
export function token() {
  return sessionStorage.getItem(tokenKey);
}

/** Keeps `value` as the session's token (this tab only). */
export function setToken(value) {
  sessionStorage.setItem(tokenKey, value);
}

/** Forgets the session's token. */
export function clearToken() {
  sessionStorage.removeItem(tokenKey);
}

/** An answer of the API that is not a success, or no answer at all. */
export class APIError extends Error {
  constructor(method, path, status, problem, text) {
    super(describe(method, path, status, problem, text));
    this.name = "APIError";
    this.method = method;
    this.path = path;
    this.status = status;       // 0 when the API could not be reached
    this.problem = problem;     // the problem+json body, when there is one
  }

  /** The fields the problem names, as [{field, message}]. */
  get fieldErrors() {
    return Array.isArray(this.problem?.errors) ? this.problem.errors : [];
  }
}

function describe(method, path, status, problem, text) {
  const what = `${method} ${path.split("?")[0]}`;
  if (status === 0) return `The API could not be reached (${what}): ${text}. Is the server running?`;
  const detail = problem?.detail ? `: ${problem.detail}` : (text ? `: ${text.slice(0, 300)}` : "");
  switch (status) {
    case 401: return `The server refused the token${detail}. Sign in again with a valid token.`;
    case 403: return `This token's role${problem?.role ? ` (${problem.role})` : ""} may not do this${detail}.`;
    default: {
      const title = problem?.title ?? `HTTP ${status}`;
      const fields = (problem?.errors ?? []).map((e) => `${e.field} ${e.message}`).join("; ");
      return `${title} (${status}, ${what})${detail}${fields ? ` — ${fields}` : ""}`;
    }
  }
}

/** Listeners told when the API answers 401 (the token is no good: sign in again). */
const unauthorizedListeners = [];
export function onUnauthorized(listener) {
  unauthorizedListeners.push(listener);
}

/**
 * Calls the API: `path` relative to this server, `body` sent as JSON. Resolves to the parsed
 * JSON answer; rejects with an APIError whose message says what went wrong in words.
 */
export async function request(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  const current = token();
  if (current) headers.Authorization = `Bearer ${current}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  } catch (error) {
    throw new APIError(method, path, 0, null, error.message);
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const error = new APIError(method, path, response.status, json && typeof json === "object" ? json : null, json ? "" : text);
    if (response.status === 401) unauthorizedListeners.forEach((listener) => listener(error));
    throw error;
  }
  return json;
}

/** `path` with the non-empty members of `query` as its query string. */
export function withQuery(path, query) {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") parameters.append(name, value);
  }
  const text = parameters.toString();
  return text ? `${path}?${text}` : path;
}
