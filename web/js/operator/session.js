// The operator token, kept in this tab's sessionStorage (gone when the tab
// closes, never in the URL or localStorage), and requests that carry it.

import { ApiError, api } from "../api.js";

const KEY = "mockloop.operator.token";

export function token() {
  return sessionStorage.getItem(KEY);
}

export function remember(value) {
  sessionStorage.setItem(KEY, value);
}

export function forget() {
  sessionStorage.removeItem(KEY);
}

/** An operator request; a refused token signs the tab out (see main.js). */
export async function operatorApi(method, path, body) {
  try {
    return await api(method, path, body, { Authorization: `Bearer ${token() || ""}` });
  } catch (err) {
    if (err instanceof ApiError && (err.code === "unauthorized" || err.code === "operator_disabled")) {
      forget();
      document.dispatchEvent(new CustomEvent("operator-signed-out", { detail: err.message }));
    }
    throw err;
  }
}

/** A content file's API path; each segment is encoded, the slashes kept. */
export function filePath(path) {
  return `api/operator/content/file/${path.split("/").map(encodeURIComponent).join("/")}`;
}
