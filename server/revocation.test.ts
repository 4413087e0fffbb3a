/**
 * Revocation reaches connections that are already open. A permission is
 * checked when a connection opens and again when it is withdrawn: sign-out,
 * session expiry, a revoked API or feed token, a ban, removal from a private
 * room. Each case, on each transport that can hold it.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import type { LogPage } from "./contract";
import { collectSse, connectClient, connected, joinAsGuest, nextEvent, register, startServer, type Client, type Harness } from "./test/harness";

let h: Harness;
let adminCookie: string;

before(async () => {
  h = await startServer();
  adminCookie = await register(h.url, "boss"); // the first registered account is admin
});
after(async () => h?.stop());

const post = (path: string, cookie: string, body: unknown = {}) =>
  fetch(`${h.url}${path}`, { method: "POST", headers: { cookie, origin: h.url, "content-type": "application/json" }, body: JSON.stringify(body) });
const del = (path: string, cookie: string) => fetch(`${h.url}${path}`, { method: "DELETE", headers: { cookie, origin: h.url } });

async function until(pred: () => boolean, ms = 3000) {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function openWs(headers: Record<string, string>, query = "") {
  const ws = new WebSocket(`${h.url.replace("http", "ws")}/ws${query}`, { headers: { origin: h.url, ...headers } });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  const frames: Record<string, unknown>[] = [];
  ws.on("message", (d) => frames.push(JSON.parse(d.toString())));
  const open = new Promise<void>((resolve, reject) => (ws.once("open", () => resolve()), ws.once("error", reject)));
  return { ws, open, closed, frames };
}

async function privateRoom(ownerCookie: string, name: string): Promise<string> {
  const res = await post("/api/rooms", ownerCookie, { name, visibility: "private" });
  assert.equal(res.status, 201);
  return ((await res.json()) as { room: { slug: string } }).room.slug;
}

/** Every kind of connection one user can hold on a private room. */
async function openEverything(cookie: string, slug: string) {
  const sockets = (["websocket", "polling"] as const).map((transport) => connectClient(h.url, cookie, { transports: [transport] }));
  await Promise.all(sockets.map((s) => connected(s)));
  for (const s of sockets) assert.ok((await s.emitWithAck("room:join", { room: slug })).ok);
  const revokedEvents = sockets.map((s) => nextEvent(s, "revoked", () => true, 4000));
  const disconnected = sockets.map((s) => new Promise<string>((resolve) => s.once("disconnect", (reason) => resolve(reason))));
  const ws = openWs({ cookie });
  await ws.open;
  ws.ws.send(JSON.stringify({ type: "room:join", id: 1, room: slug }));
  await until(() => ws.frames.some((f) => f.type === "reply"));
  const sse = collectSse(await fetch(`${h.url}/api/rooms/${slug}/feed`, { headers: { cookie } }));
  const head = ((await (await fetch(`${h.url}/api/rooms/${slug}/messages?after=0`, { headers: { cookie } })).json()) as LogPage).head;
  const poll = fetch(`${h.url}/api/rooms/${slug}/messages?after=${head}&wait=20`, { headers: { cookie } });
  await until(() => h.app.ctx.connections.counts().longpoll === 1);
  return { sockets, revokedEvents, disconnected, ws, sse, poll };
}

async function assertAllClosed(open: Awaited<ReturnType<typeof openEverything>>, reason: string, status: number, wsCode: number) {
  for (const event of open.revokedEvents) assert.deepEqual(await event, { reason });
  for (const d of open.disconnected) assert.equal(await d, "io server disconnect");
  assert.equal((await open.ws.closed).code, wsCode);
  await open.sse.done;
  assert.ok(open.sse.events.some((e) => e.event === "revoked" && JSON.parse(e.data).reason === reason), "the stream ends with event: revoked");
  const answer = await open.poll;
  assert.equal(answer.status, status, "the pending long-poll is answered at once");
}

describe("revocation reaches open connections", () => {
  it("sign-out closes the session's sockets (both transports), /ws, private SSE and a pending long-poll", async () => {
    const cookie = await register(h.url, "leaver");
    const slug = await privateRoom(cookie, "Leaver Den");
    const open = await openEverything(cookie, slug);
    const res = await post("/api/auth/sign-out", cookie);
    assert.equal(res.status, 200);
    await assertAllClosed(open, "signed_out", 401, 4001);
    // And the same cookie opens nothing new.
    assert.equal((await fetch(`${h.url}/api/rooms/${slug}/feed`, { headers: { cookie } })).status, 404);
  });

  it("a ban closes every connection, answers long-polls with 403, and nothing posted after reaches them", async () => {
    const cookie = await register(h.url, "troll");
    const slug = await privateRoom(cookie, "Troll Cave");
    const open = await openEverything(cookie, slug);
    const res = await post("/api/admin/bans", adminCookie, { user: "troll" });
    assert.equal(res.status, 201);
    await assertAllClosed(open, "banned", 403, 4003);
  });

  it("an expired session closes its connections at the next revalidation", async () => {
    const cookie = await register(h.url, "sleeper");
    const client = connectClient(h.url, cookie);
    await connected(client);
    const revoked = nextEvent(client, "revoked");
    const user = await h.app.prisma.user.findUniqueOrThrow({ where: { username: "sleeper" } });
    await h.app.prisma.session.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    assert.ok((await h.app.ctx.connections.revalidate()) >= 1);
    assert.deepEqual(await revoked, { reason: "signed_out" });
  });

  it("a session deleted behind the server's back is noticed by the revalidation too", async () => {
    const cookie = await register(h.url, "vanished");
    const ws = openWs({ cookie });
    await ws.open;
    const user = await h.app.prisma.user.findUniqueOrThrow({ where: { username: "vanished" } });
    await h.app.prisma.session.deleteMany({ where: { userId: user.id } });
    await h.app.ctx.connections.revalidate();
    assert.equal((await ws.closed).code, 4001);
  });

  it("a revoked API token closes the /ws opened with it and stops its long-polls", async () => {
    const cookie = await register(h.url, "botmaker");
    const made = await post("/api/tokens", cookie, { name: "bot" });
    const { token } = (await made.json()) as { token: { id: string; token: string } };
    const viaHeader = openWs({ authorization: `Bearer ${token.token}` });
    const viaQuery = openWs({}, `?token=${token.token}`);
    await Promise.all([viaHeader.open, viaQuery.open]);
    const poll = fetch(`${h.url}/api/rooms/general/messages?after=${Number.MAX_SAFE_INTEGER - 1}&wait=0`, {
      headers: { authorization: `Bearer ${token.token}` },
    });
    assert.equal((await poll).status, 200);
    const head = ((await (await fetch(`${h.url}/api/rooms/general/messages?after=0`, { headers: { cookie } })).json()) as LogPage).head;
    const waiting = fetch(`${h.url}/api/rooms/general/messages?after=${head}&wait=20`, { headers: { authorization: `Bearer ${token.token}` } });
    await until(() => h.app.ctx.connections.counts().longpoll === 1);
    assert.equal((await del(`/api/tokens/${token.id}`, cookie)).status, 200);
    assert.equal((await viaHeader.closed).code, 4001);
    assert.equal((await viaQuery.closed).code, 4001);
    assert.equal((await waiting).status, 401);
    const again = await fetch(`${h.url}/api/rooms`, { headers: { authorization: `Bearer ${token.token}` } });
    assert.equal(again.status, 401);
  });

  it("a revoked feed token ends the streams opened with it", async () => {
    const owner = await register(h.url, "feeder");
    const slug = await privateRoom(owner, "Feed Room");
    const made = await post(`/api/rooms/${slug}/feed-tokens`, owner, { name: "screen" });
    const { token } = (await made.json()) as { token: { id: string; token: string } };
    const sse = collectSse(await fetch(`${h.url}/api/rooms/${slug}/feed?token=${token.token}`));
    await until(() => sse.events.some((e) => e.event === "epoch"));
    assert.equal((await del(`/api/rooms/${slug}/feed-tokens/${token.id}`, owner)).status, 200);
    await sse.done;
    assert.ok(sse.events.some((e) => e.event === "revoked"));
  });

  it("a banned member's feed tokens stop working, open streams included", async () => {
    const owner = await register(h.url, "shady");
    const slug = await privateRoom(owner, "Shady Room");
    const made = await post(`/api/rooms/${slug}/feed-tokens`, owner, { name: "leak" });
    const { token } = (await made.json()) as { token: { token: string } };
    const sse = collectSse(await fetch(`${h.url}/api/rooms/${slug}/feed?token=${token.token}`));
    await until(() => sse.events.some((e) => e.event === "epoch"));
    assert.equal((await post("/api/admin/bans", adminCookie, { user: "shady" })).status, 201);
    await sse.done;
    assert.ok(sse.events.some((e) => e.event === "revoked"));
    assert.equal((await fetch(`${h.url}/api/rooms/${slug}/feed?token=${token.token}`)).status, 404);
  });

  it("removal from a private room ends that room's subscriptions on every transport, and its replay", async () => {
    const owner = await register(h.url, "host");
    const guestCookie = await register(h.url, "visitor");
    const slug = await privateRoom(owner, "Inner Circle");
    assert.equal((await post(`/api/rooms/${slug}/members`, owner, { username: "visitor" })).status, 201);
    const visitor = await h.app.prisma.user.findUniqueOrThrow({ where: { username: "visitor" } });

    const socket = connectClient(h.url, guestCookie);
    await connected(socket);
    const joined = await socket.emitWithAck("room:join", { room: slug });
    assert.ok(joined.ok);
    assert.ok((await socket.emitWithAck("room:join", { room: "general" })).ok);
    const ws = openWs({ cookie: guestCookie });
    await ws.open;
    ws.ws.send(JSON.stringify({ type: "room:join", id: 1, room: slug }));
    await until(() => ws.frames.some((f) => f.type === "reply"));
    const sse = collectSse(await fetch(`${h.url}/api/rooms/${slug}/feed`, { headers: { cookie: guestCookie } }));
    const poll = fetch(`${h.url}/api/rooms/${slug}/messages?after=${joined.head}&wait=20`, { headers: { cookie: guestCookie } });
    await until(() => h.app.ctx.connections.counts().longpoll === 1);

    const revoked = nextEvent(socket, "revoked");
    const leaked: unknown[] = [];
    socket.on("message:new", (m) => m.room === slug && leaked.push(m));
    assert.equal((await del(`/api/rooms/${slug}/members/${visitor.id}`, owner)).status, 200);
    assert.deepEqual(await revoked, { reason: "removed", room: slug });
    await sse.done;
    assert.ok(sse.events.some((e) => e.event === "revoked"));
    assert.equal((await poll).status, 404);
    await until(() => ws.frames.some((f) => f.type === "revoked"));
    assert.deepEqual(ws.frames.find((f) => f.type === "revoked"), { type: "revoked", reason: "removed", room: slug });

    // Still connected and in #general; nothing of the private room reaches them any more.
    const ownerSocket = connectClient(h.url, owner);
    await connected(ownerSocket);
    assert.ok((await ownerSocket.emitWithAck("message:send", { room: slug, clientId: randomUUID(), body: "after you left" })).ok);
    const generalSeen = nextEvent(socket, "message:new", (m) => m.room === "general");
    assert.ok((await ownerSocket.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "still here?" })).ok);
    await generalSeen;
    assert.equal(leaked.length, 0);
    assert.equal(ws.frames.filter((f) => f.type === "message:new").length, 0);
    // A replay is authorized again: the resume is refused.
    const resume = await socket.emitWithAck("room:join", { room: slug, after: 0 });
    assert.equal(!resume.ok && resume.error.code, "not_found");
    ownerSocket.close();
    socket.close();
    ws.ws.close();
  });
});
