// The candidate's profile on the server (docs/profiles.md): created on
// first use, its key ({profile_id, token}) kept on this browser, and the
// calls that read and change it. No DOM here: the lobby's panel, the fit
// map and the plan each show what these return.

import { api, ApiError, upload } from "./api.js";
import { forgetProfile, loadProfile, saveProfile } from "./storage.js";

// The key in use. Kept here as well as in localStorage: where storage is
// blocked the profile still works for as long as the page is open.
let current = loadProfile();
// Told when a profile is made or forgotten: the lobby's panel, whichever
// view found out.
const watchers = [];

/** The profile this browser holds the key to, or null. */
export function storedProfile() {
  return current;
}

/** `watcher()` is called each time the stored profile changes. */
export function watchProfile(watcher) {
  watchers.push(watcher);
}

function changed(profile) {
  current = profile;
  for (const watcher of watchers) watcher();
}

/** Forgets the key on this browser (the server's copy is untouched). */
export function dropProfile() {
  forgetProfile();
  changed(null);
}

/** The stored profile, or a new one made now. */
export async function ensureProfile() {
  if (current) return current;
  const made = await api("POST", "api/profiles");
  if (!made || typeof made.profile_id !== "string" || typeof made.token !== "string") {
    throw new ApiError("bad_response", "The server did not return a profile.");
  }
  const profile = { profile_id: made.profile_id, token: made.token };
  saveProfile(profile);
  changed(profile);
  return profile;
}

function path(profile, rest = "") {
  return `api/profiles/${encodeURIComponent(profile.profile_id)}${rest}`;
}

// The token goes in a header, not the URL: URLs end up in logs and history.
function auth(profile) {
  return { Authorization: `Bearer ${profile.token}` };
}

/** What to tell the candidate when the server no longer knows the profile. */
export const GONE = "Your profile is no longer on this server (deleted, or unused for too long). " +
  "Save your résumé and a job posting again to start a new one.";

/** A 401 on a profile route: deleted, expired, or a key that never matched. */
export function isGone(err) {
  return err instanceof ApiError && err.status === 401;
}

/** `GET /api/profiles/{id}`: what is stored and for how long. */
export function readProfile(profile) {
  return api("GET", path(profile), undefined, auth(profile));
}

export const DOCUMENT_TYPES = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  txt: "text/plain; charset=utf-8",
};

/**
 * Stores the résumé (`kind` "resume") or the posting ("job"): `body` a
 * string or a File, typed `type`. Makes the profile on first use; a key
 * the server no longer knows is dropped and a fresh profile made, once.
 * Returns {media_type, chars, lines}.
 */
export async function saveDocument(kind, body, type) {
  const send = async () => {
    const profile = await ensureProfile();
    return upload("PUT", path(profile, `/${kind}`), body, type, auth(profile));
  };
  try {
    return await send();
  } catch (err) {
    if (!isGone(err)) throw err;
    dropProfile();
    return send();
  }
}

export async function deleteProfile(profile) {
  await api("DELETE", path(profile), undefined, auth(profile));
}

/** The fit map for a loop at a level (the level may be left out). */
export function readFit(profile, loopId, level) {
  const query = new URLSearchParams({ loop_id: loopId });
  if (level) query.set("level", level);
  return api("GET", path(profile, `/fit?${query}`), undefined, auth(profile));
}

export function readPlan(profile) {
  return api("GET", path(profile, "/plan"), undefined, auth(profile));
}

/** `body` for `POST /api/sessions`, linked to the profile. */
export function linked(profile, body) {
  return { ...body, profile_id: profile.profile_id, profile_token: profile.token };
}
