#!/usr/bin/env node
// A non-browser client: signs in over HTTP, connects to Socket.IO with the
// session cookie, joins a room, prints what arrives, sends one message.
//
//   BASE_URL=http://localhost:3000 NAME=bot ROOM=general node docs/examples/node-client.mjs "hello from a script"
//
// Needs only socket.io-client (already a dependency of this project).
import { randomUUID } from "node:crypto";
import { io } from "socket.io-client";

const base = process.env.BASE_URL ?? "http://localhost:3000";
const room = process.env.ROOM ?? "general";
const text = process.argv[2] ?? "hello from a script";

// 1. Sign in. Guests need only a display name; accounts use
//    POST /api/auth/sign-in/username { username, password } the same way.
const res = await fetch(`${base}/api/auth/sign-in/anonymous`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ name: process.env.NAME ?? "script" }),
});
if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");

// 2. Connect with the cookie. Node sends no Origin header, so the same-origin
//    check lets it through; the session cookie is what authenticates.
const socket = io(base, { transports: ["websocket"], extraHeaders: { cookie } });
socket.on("connect_error", (err) => {
  console.error("connect_error:", err.message);
  process.exit(1);
});
socket.on("message:new", (m) => console.log(`#${m.room} [${m.seq}] ${m.author.name}: ${m.body}`));

socket.on("connect", async () => {
  // 3. Join: the ack carries the last 50 messages and who is online.
  const joined = await socket.emitWithAck("room:join", { room });
  if (!joined.ok) throw new Error(`join failed: ${joined.error.code} ${joined.error.message}`);
  console.log(`joined #${room}: ${joined.messages.length} messages, ${joined.online.length} online`);

  // 4. Send: clientId makes retries safe (the server stores it once).
  const sent = await socket.emitWithAck("message:send", { room, clientId: randomUUID(), body: text });
  if (!sent.ok) throw new Error(`send failed: ${sent.error.code} ${sent.error.message}`);
  console.log(`sent seq ${sent.message.seq}`);
  socket.close();
});
