// REST: URLs relative to the page, fetch + JSON, and error shaping.

/** Relative URL so the page also works when served under a path prefix. */
function apiUrl(path) {
  return new URL(path, document.baseURI).toString();
}

/** A session's path (or one of its files'), with its token. */
export function sessionPath(session, file) {
  const path = `api/sessions/${encodeURIComponent(session.session_id)}`;
  return `${file ? `${path}/${file}` : path}?token=${encodeURIComponent(session.token)}`;
}

export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * fetch + JSON; turns {"error":{"code","message"}} and network failures into ApiError.
 * `headers` are added to every request (the operator console's Authorization).
 * A refusal keeps its JSON body as `err.data` (a 422 carries content diagnostics).
 */
export function api(method, path, body, headers = {}) {
  if (body === undefined) return request(method, path, undefined, headers);
  return request(method, path, JSON.stringify(body), { "Content-Type": "application/json", ...headers });
}

/**
 * Sends `body` (a string or a File) as it is, typed `contentType`: a
 * document upload. Answers and refusals are read as `api` reads them.
 */
export function upload(method, path, body, contentType, headers = {}) {
  return request(method, path, body, { "Content-Type": contentType, ...headers });
}

async function request(method, path, body, headers) {
  let res;
  try {
    res = await fetch(apiUrl(path), { method, headers: { Accept: "application/json", ...headers }, body });
  } catch {
    throw new ApiError("network", "Could not reach the server. Check that it is running and try again.");
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) throw refusal(res, data);
  return data;
}

/**
 * The server's refusal as an ApiError: `{"error":{"code","message"}}`, or
 * the flat `{"error":"code","message"}`; else the HTTP status in words.
 */
function refusal(res, data) {
  const body = data && typeof data === "object" ? data : {};
  const err = typeof body.error === "string" ? { code: body.error, message: body.message } : body.error;
  const code = (err && typeof err.code === "string" && err.code) || `http_${res.status}`;
  const message = (err && typeof err.message === "string" && err.message) ||
    `The server answered ${res.status} ${res.statusText || ""}`.trim();
  const error = new ApiError(code, `${message} (${code})`);
  error.data = data;
  error.status = res.status;
  // The message alone, for a page that shows it beside the field it is about.
  error.detail = message;
  return error;
}
