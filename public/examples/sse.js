"use strict";
const STATES = ["0 CONNECTING", "1 OPEN", "2 CLOSED"];

// The shared helpers ($, enc, setStatus, showMessage, markDeleted, showBroadcast,
// clearLog, logSystem…) are in common.js, loaded just above.

// ---- the feed ---------------------------------------------------------------------

let source = null;
let stats = { events: 0, reconnects: 0 };
let opened = false;

function showStats() {
  $("ready-state").textContent = source ? STATES[source.readyState] : "–";
  $("events").textContent = stats.events;
  $("reconnects").textContent = stats.reconnects;
}

function openFeed() {
  closeFeed();
  const room = $("room").value.trim().toLowerCase();
  const token = $("token").value.trim();
  clearLog();
  stats = { events: 0, reconnects: 0 };
  opened = false;
  $("last-id").textContent = "–";

  // Without a cursor the server starts with the newest page, then goes live.
  source = new EventSource(`/api/rooms/${enc(room)}/feed${token ? `?token=${enc(token)}` : ""}`);
  setStatus(`Connecting to #${room}…`, "busy");

  source.onopen = () => {
    if (opened) stats.reconnects++;
    opened = true;
    setStatus(`Open: #${room} is pushed to this page as it happens.`, "live");
    showStats();
  };

  source.onerror = () => {
    if (source.readyState === EventSource.CONNECTING) {
      setStatus("Connection lost. EventSource reconnects by itself and sends Last-Event-ID…", "busy");
    } else {
      // CLOSED: the server answered with an error status (404: no such room, or it needs a token).
      setStatus(`The feed of #${room} cannot be read: no such room, or it is private and needs a feed token.`, "error");
      $("close").disabled = true;
    }
    showStats();
  };

  const on = (type, handle) =>
    source.addEventListener(type, (event) => {
      stats.events++;
      if (event.lastEventId) $("last-id").textContent = event.lastEventId;
      handle(JSON.parse(event.data));
      showStats();
    });
  on("message", (m) => showMessage(m));
  on("message-updated", (p) => showMessage(p.message, true));
  on("message-deleted", (p) => markDeleted(p.id));
  on("broadcast", (b) => showBroadcast(b));
  on("reset", () => {
    clearLog();
    logSystem("The room's log was reset: starting over with the newest messages.");
  });

  $("open").textContent = "Reopen";
  $("close").disabled = false;
  showStats();
}

function closeFeed() {
  source?.close();
  showStats();
  source = null;
  $("open").textContent = "Open feed";
  $("close").disabled = true;
}

$("room-form").addEventListener("submit", (event) => {
  event.preventDefault();
  openFeed();
});
$("close").addEventListener("click", () => {
  closeFeed();
  setStatus("Closed.");
  $("ready-state").textContent = STATES[2];
});

openFeed();
