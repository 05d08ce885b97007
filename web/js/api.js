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
export async function api(method, path, body, headers = {}) {
  let res;
  try {
    res = await fetch(apiUrl(path), {
      method,
      headers: body === undefined ? { Accept: "application/json", ...headers }
        : { Accept: "application/json", "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
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
  if (!res.ok) {
    const err = data && typeof data === "object" ? data.error : null;
    const code = (err && err.code) || `http_${res.status}`;
    const message = (err && err.message) || `The server answered ${res.status} ${res.statusText || ""}`.trim();
    const error = new ApiError(code, `${message} (${code})`);
    error.data = data;
    throw error;
  }
  return data;
}
