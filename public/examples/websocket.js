"use strict";
const STATE_NAMES = ["CONNECTING", "OPEN", "CLOSING", "CLOSED"];

// The shared helpers ($, uuid, setStatus, showMessage, applyPage, showBroadcast,
// the session fieldset…) are in common.js, loaded just above.

// ---- session ----------------------------------------------------------------

async function refreshSession() {
  const user = await showSession();
  renderState();
  return user;
}

wireSession({
  refresh: refreshSession,
  joined: () => connect(),
  beforeSignOut: () => ws?.close(1000, "signing out"),
  signedOut: "Signed out.",
});

// ---- the WebSocket ------------------------------------------------------------------

let ws = null;
let room = "general";
let cursor = 0; // the highest seq seen: the join frame resumes from it
let epoch = null;
let nextId = 1;
const pending = new Map(); // request id -> resolve(reply)
const frames = { sent: 0, received: 0 };

function renderState() {
  const state = ws ? ws.readyState : WebSocket.CLOSED;
  $("ready-state").textContent = ws ? `${state} ${STATE_NAMES[state]}` : "–";
  $("buffered").textContent = ws ? ws.bufferedAmount : "–";
  $("frames").textContent = `${frames.sent} / ${frames.received}`;
  $("cursor").textContent = cursor;
  [...$("states").rows].forEach((row, i) => {
    for (const cell of row.cells) cell.classList.toggle("current", !!ws && i === state);
  });
  $("send").disabled = !ws || state !== WebSocket.OPEN;
  $("close").disabled = !ws || state >= WebSocket.CLOSING;
}
setInterval(renderState, 200);

/** Sends one request frame; resolves with the reply that carries the same id. */
function request(frame) {
  const id = nextId++;
  ws.send(JSON.stringify({ ...frame, id }));
  frames.sent++;
  $("buffered-after-send").textContent = ws.bufferedAmount;
  renderState();
  return new Promise((resolve) => pending.set(id, resolve));
}

async function join() {
  // Without a cursor: the newest page. With one: exactly the events after it,
  // a page at a time (`more`), then live frames.
  for (;;) {
    const reply = await request({ type: "room:join", room, ...(cursor ? { after: cursor, ...(epoch ? { epoch } : {}) } : {}) });
    if (!reply.ok) return setStatus(`Cannot join #${room}: ${reply.error.message}`, "error");
    cursor = applyPage(reply);
    epoch = reply.epoch;
    $("online").textContent = reply.online.map((u) => u.name).join(", ");
    for (const b of reply.broadcasts ?? []) showBroadcast(b);
    if (!reply.more) break;
  }
  setStatus(`Open: #${room} is live over one WebSocket.`, "live");
  renderState();
}

async function connect() {
  const next = $("room").value.trim().toLowerCase();
  if (next !== room) {
    clearLog();
    cursor = 0;
    epoch = null;
  }
  room = next;
  if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, "reconnecting");

  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/ws`);
  ws = socket;
  let opened = false;
  setStatus("Connecting: HTTP request with Upgrade: websocket…", "busy");
  renderState();

  socket.onopen = () => {
    opened = true;
    setStatus(`Handshake done. Joining #${room}${cursor ? ` from seq ${cursor}` : ""}…`, "busy");
    renderState();
    join();
  };

  socket.onmessage = (event) => {
    frames.received++;
    const frame = JSON.parse(event.data);
    switch (frame.type) {
      case "reply":
        pending.get(frame.id)?.(frame);
        pending.delete(frame.id);
        break;
      case "message:new":
        showMessage(frame.message);
        cursor = Math.max(cursor, frame.message.seq);
        break;
      case "message:updated":
        showMessage(frame.message, true);
        cursor = Math.max(cursor, frame.seq);
        break;
      case "message:deleted":
        markDeleted(frame.id);
        cursor = Math.max(cursor, frame.seq);
        break;
      case "broadcast":
        showBroadcast(frame.broadcast);
        break;
      case "presence":
        if (frame.room === room) $("online").textContent = frame.online.map((u) => u.name).join(", ");
        break;
      case "error":
        setStatus(`The server could not read a frame: ${frame.error.message}`, "error");
        break;
    }
    renderState();
  };

  socket.onerror = () => {
    // The browser gives no details here; onclose follows with a code.
    if (ws === socket) setStatus("WebSocket error.", "error");
  };

  socket.onclose = (event) => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: "unavailable", message: "connection closed" } });
    pending.clear();
    if (ws !== socket) return;
    if (!opened) {
      setStatus("Could not connect. The server refuses the upgrade with 401 when there is no session (join as a guest first) or 403 from a foreign origin.", "error");
    } else {
      setStatus(`Closed (code ${event.code}${event.reason ? `, "${event.reason}"` : ""}). Connect again to resume from seq ${cursor}.`, event.code === 1000 ? "" : "error");
    }
    renderState();
  };
}

$("connect-form").addEventListener("submit", (event) => {
  event.preventDefault();
  connect();
});

$("close").addEventListener("click", () => {
  // 1000: normal closure. readyState goes 2 CLOSING, then 3 CLOSED.
  ws?.close(1000, "bye");
  renderState();
});

$("send-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!ws || ws.readyState !== WebSocket.OPEN) return setStatus("Not open: connect first.", "error");
  const reply = await request({ type: "message:send", room, clientId: uuid(), body: $("body").value });
  if (!reply.ok) return setStatus(`Not sent: ${reply.error.message}`, "error");
  $("body").value = "";
  // The message itself comes back as a message:new frame, like everyone else's.
});

refreshSession().then((user) => {
  if (user) connect();
  else setStatus("Join as a guest, then connect.");
});
