"use strict";
const POLL_EVERY_MS = 3000;
// The shared helpers ($, enc, uuid, setStatus, showMessage, applyPage, loadNewest,
// the session fieldset…) are in common.js, loaded just above.

// ---- session ----------------------------------------------------------------

async function refreshSession() {
  const user = await showSession();
  $("send").disabled = !user || !timer;
  return user;
}

wireSession({
  refresh: refreshSession,
  joined: () => {
    if (!timer) start();
  },
  beforeSignOut: () => stop(),
  signedOut: "Signed out. Not polling.",
});

// ---- polling ------------------------------------------------------------------

let room = "general";
let cursor = 0;
let epoch = null;
let timer = null;
let inFlight = false;
let stats = { requests: 0, empty: 0, skipped: 0 };

function showStats() {
  $("requests").textContent = stats.requests;
  $("empty").textContent = stats.empty;
  $("skipped").textContent = stats.skipped;
  $("cursor").textContent = timer ? cursor : "–";
}

async function start() {
  stop();
  room = $("room").value.trim().toLowerCase();
  clearLog();
  stats = { requests: 0, empty: 0, skipped: 0 };
  epoch = null;
  // First the newest page of history, to have something to show and a cursor.
  const newest = await loadNewest(room, "polling");
  if (newest === null) return; // no session, or no such room: the status says which
  cursor = newest;
  logSystem(`Polling #${room} every ${POLL_EVERY_MS / 1000} s from seq ${cursor}.`);

  timer = setInterval(poll, POLL_EVERY_MS);
  $("start").textContent = "Restart";
  $("stop").disabled = false;
  setStatus(`Polling #${room} every ${POLL_EVERY_MS / 1000} s.`, "live");
  showStats();
  await refreshSession();
}

function stop() {
  if (timer) clearInterval(timer);
  timer = null;
  $("start").textContent = "Start polling";
  $("stop").disabled = true;
  $("send").disabled = true;
  showStats();
}

async function poll() {
  if (inFlight) {
    stats.skipped++;
    return showStats();
  }
  inFlight = true;
  stats.requests++;
  try {
    const url = `/api/rooms/${enc(room)}/messages?after=${cursor}${epoch ? `&epoch=${enc(epoch)}` : ""}`;
    const res = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (res.status === 401) {
      stop();
      return setStatus("The session ended: join as a guest again.", "error");
    }
    if (!res.ok) return setStatus(`Request failed: ${await errorText(res)}; trying again next tick.`, "error");
    const page = await res.json();
    if (!page.messages.length && !page.events.length && !page.reset) stats.empty++;
    cursor = applyPage(page);
    epoch = page.epoch;
    setStatus(`Polling #${room} every ${POLL_EVERY_MS / 1000} s. Last answer ${new Date().toLocaleTimeString()}.`, "live");
    // More than one page waiting (after a long absence): fetch the next one now.
    if (page.more) setTimeout(poll, 0);
  } catch {
    setStatus("Network error; trying again next tick.", "error");
  } finally {
    inFlight = false;
    showStats();
  }
}

$("room-form").addEventListener("submit", (event) => {
  event.preventDefault();
  start();
});
$("stop").addEventListener("click", () => {
  stop();
  setStatus("Stopped.");
});

$("send-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = $("body").value;
  const res = await fetch(`/api/rooms/${enc(room)}/messages`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ clientId: uuid(), body }),
  });
  if (!res.ok) return setStatus(`Not sent: ${await errorText(res)}`, "error");
  $("body").value = "";
  // The message shows when the next poll brings it back, up to 3 s later: the cost of polling.
  logSystem("Sent. It appears with the next poll.");
});

refreshSession().then((user) => {
  if (user) start();
  else setStatus("Join as a guest to start polling.");
});
