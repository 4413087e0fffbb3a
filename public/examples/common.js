/*
 * What the four example pages share, so that each page keeps only its technique.
 *
 * A plain script, no modules and no build step: each page loads it with
 *   <script src="common.js"></script>
 * just before its own script (polling.js for polling.html, and so on), at the
 * end of <body> (it looks up #log and #status as it loads). Scripts are files,
 * not inline: Relay's Content-Security-Policy runs no inline script without
 * the nonce of a rendered page, and these pages are static. Everything below
 * is a plain global, used by name:
 *
 *   $(id), enc(s), uuid()              tiny helpers
 *   setStatus(text, state)             the line under the room form (#status)
 *   errorText(res)                     the message of a failed fetch answer
 *   logSystem, showMessage, markDeleted, showBroadcast, clearLog
 *                                      the message list (#log), text only
 *   applyPage(page)                    applies a LogPage, returns the cursor `next`
 *   loadNewest(room, technique)        the newest page of history, for a first cursor
 *   showSession(), wireSession(hooks)  the "Session" fieldset: join as guest, sign out
 */
"use strict";

const $ = (id) => document.getElementById(id);
const enc = encodeURIComponent;

// ---- small helpers -------------------------------------------------------------

/** crypto.randomUUID needs a secure context (https or localhost); fall back on getRandomValues. */
function uuid() {
  if (window.crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function setStatus(text, state = "") {
  $("status").textContent = text;
  $("status").dataset.state = state;
}

async function errorText(res) {
  try {
    const body = await res.json();
    return body.error?.message ?? body.message ?? `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

// ---- the message list ------------------------------------------------------------

const log = $("log");
const items = new Map(); // message id -> <li>
const announced = new Set(); // broadcast ids already shown

function logSystem(text) {
  const li = document.createElement("li");
  li.className = "system";
  li.textContent = text;
  log.append(li);
  log.scrollTop = log.scrollHeight;
}

/** Adds a message, or updates it in place when it is already shown. Text only: never parsed as HTML. */
function showMessage(m, edited = false) {
  let li = items.get(m.id);
  if (!li) {
    li = document.createElement("li");
    for (const cls of ["meta", "who", "text"]) li.append(Object.assign(document.createElement("span"), { className: cls }));
    items.set(m.id, li);
    log.append(li);
    while (log.children.length > 500) log.firstElementChild.remove();
  }
  li.children[0].textContent = `#${m.seq} ${new Date(m.createdAt).toLocaleTimeString()}`;
  li.children[1].textContent = m.author.name;
  li.children[2].textContent = m.body + (edited || m.editedAt ? " (edited)" : "");
  log.scrollTop = log.scrollHeight;
}

function markDeleted(id) {
  const li = items.get(id);
  if (!li) return;
  li.classList.add("deleted");
  li.children[2].textContent = "message deleted";
}

function clearLog() {
  log.replaceChildren();
  items.clear();
  announced.clear();
}

/** An admin's announcement (a broadcast in the room log): shown once, as a line of its own. */
function showBroadcast(b) {
  if (announced.has(b.id)) return;
  announced.add(b.id);
  logSystem(`Announcement (${b.level}): ${b.text}`);
}

// ---- reading the room log (polling, long polling and the WebSocket's join) ---------

/**
 * Applies one answer of GET ...messages?after=SEQ (a LogPage): the events after
 * the cursor, or with `reset` a fresh newest page. Returns the new cursor: `next`, where the
 * server stopped reading (messages deleted since are read but not shown).
 */
function applyPage(page) {
  if (page.reset) {
    clearLog();
    logSystem("The room's log was reset: starting over.");
  }
  if (page.events.length) {
    for (const e of page.events) {
      if (e.type === "message") showMessage(e.message);
      else if (e.type === "message:updated") showMessage(e.message, true);
      else if (e.type === "message:deleted") markDeleted(e.id);
      else if (e.type === "broadcast") showBroadcast(e.broadcast);
    }
    return page.next;
  }
  for (const m of page.messages) showMessage(m);
  return page.next;
}

/**
 * Shows the newest page of a room's history (GET ...messages?limit=20) and returns the
 * cursor to go on from: the seq of its last message, 0 in an empty room. Returns null when
 * the room cannot be read; the status says why (`technique` names the page in that text).
 */
async function loadNewest(room, technique) {
  setStatus(`Loading #${room}…`, "busy");
  const res = await fetch(`/api/rooms/${enc(room)}/messages?limit=20`, { credentials: "same-origin", cache: "no-store" });
  if (res.status === 401) {
    setStatus(`Join as a guest first: ${technique} needs a session.`, "error");
    return null;
  }
  if (!res.ok) {
    setStatus(`Cannot open #${room}: ${await errorText(res)}`, "error");
    return null;
  }
  const { messages } = await res.json();
  for (const m of messages) showMessage(m);
  return messages.length ? messages[messages.length - 1].seq : 0;
}

// ---- session (every page but the SSE one, which needs none) -------------------------

/** Reads the session (GET /api/me) and shows either the guest form or who is signed in. Returns the user or null. */
async function showSession() {
  const res = await fetch("/api/me", { credentials: "same-origin", cache: "no-store" });
  const { user } = await res.json();
  $("guest-form").hidden = !!user;
  $("signed-in").hidden = !user;
  $("me-name").textContent = user ? `${user.name}${user.guest ? " (guest)" : ""}` : "";
  return user;
}

/**
 * Wires the "Join as guest" form and the "Sign out" button. The page says what follows:
 *   refresh()        re-reads the session (the page's refreshSession)
 *   joined()         runs once a guest has joined (start listening, connect…)
 *   beforeSignOut()  runs before signing out (stop, close the socket…)
 *   signedOut        the status text once signed out
 */
function wireSession({ refresh, joined, beforeSignOut, signedOut }) {
  $("guest-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const res = await fetch("/api/auth/sign-in/anonymous", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: $("guest-name").value.trim() }),
    });
    if (!res.ok) return setStatus(`Could not join: ${await errorText(res)}`, "error");
    await refresh();
    joined();
  });

  $("sign-out").addEventListener("click", async () => {
    beforeSignOut();
    // better-auth wants a JSON body on POSTs.
    await fetch("/api/auth/sign-out", { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body: "{}" });
    await refresh();
    setStatus(signedOut);
  });
}
