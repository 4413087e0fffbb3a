"use strict";
const WAIT_S = 25;
// The shared helpers ($, enc, uuid, setStatus, showMessage, applyPage, loadNewest,
// the session fieldset…) are in common.js, loaded just above.

// ---- session ----------------------------------------------------------------

async function refreshSession() {
  const user = await showSession();
  $("send").disabled = !user || !running;
  return user;
}

wireSession({
  refresh: refreshSession,
  joined: () => {
    if (!running) start();
  },
  beforeSignOut: () => stop(),
  signedOut: "Signed out. Not listening.",
});

// ---- long polling ---------------------------------------------------------------

let room = "general";
let cursor = 0;
let epoch = null;
let running = false;
let controller = null; // aborts the request being held when we stop
let stats = { requests: 0, empty: 0 };

function showStats(heldMs) {
  $("requests").textContent = stats.requests;
  $("empty").textContent = stats.empty;
  if (heldMs !== undefined) $("held").textContent = `${(heldMs / 1000).toFixed(1)} s`;
  $("cursor").textContent = running ? cursor : "–";
}

async function start() {
  stop();
  room = $("room").value.trim().toLowerCase();
  clearLog();
  stats = { requests: 0, empty: 0 };
  epoch = null;
  // First the newest page of history, to have something to show and a cursor.
  const newest = await loadNewest(room, "long polling");
  if (newest === null) return; // no session, or no such room: the status says which
  cursor = newest;
  logSystem(`Listening to #${room} from seq ${cursor}.`);
  running = true;
  $("start").textContent = "Restart";
  $("stop").disabled = false;
  await refreshSession();
  loop(controller = new AbortController());
}

function stop() {
  running = false;
  controller?.abort();
  controller = null;
  $("start").textContent = "Start listening";
  $("stop").disabled = true;
  $("send").disabled = true;
  showStats();
}

/** One request at a time, forever: ask, wait for the answer, ask again at once. */
async function loop(ctrl) {
  while (!ctrl.signal.aborted) {
    stats.requests++;
    showStats();
    setStatus(`Waiting: the server holds this request until #${room} has news (at most ${WAIT_S} s).`, "live");
    const sentAt = performance.now();
    try {
      const url = `/api/rooms/${enc(room)}/messages?after=${cursor}${epoch ? `&epoch=${enc(epoch)}` : ""}&wait=${WAIT_S}`;
      const res = await fetch(url, { credentials: "same-origin", cache: "no-store", signal: ctrl.signal });
      if (res.status === 401) {
        stop();
        return setStatus("The session ended: join as a guest again.", "error");
      }
      if (!res.ok) {
        // 429: too many requests held for this user (other tabs); back off.
        setStatus(`Request failed: ${await errorText(res)}. Retrying in 3 s.`, "error");
        await sleep(3000);
        continue;
      }
      const page = await res.json();
      if (!page.messages.length && !page.events.length && !page.reset) stats.empty++;
      cursor = applyPage(page);
      epoch = page.epoch;
      showStats(performance.now() - sentAt);
    } catch {
      if (ctrl.signal.aborted) return;
      setStatus("Network error. Retrying in 3 s.", "error");
      await sleep(3000);
    }
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
  const res = await fetch(`/api/rooms/${enc(room)}/messages`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ clientId: uuid(), body: $("body").value }),
  });
  if (!res.ok) return setStatus(`Not sent: ${await errorText(res)}`, "error");
  $("body").value = "";
  // No need to show it here: the request being held answers with it right away.
});

refreshSession().then((user) => {
  if (user) start();
  else setStatus("Join as a guest to start listening.");
});
