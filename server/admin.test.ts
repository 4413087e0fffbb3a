/**
 * Admin powers, enforced on the server over every path: broadcasts (delivery
 * to all transports, resume, accounting, retraction), mute, ban, lock, and
 * the audit log that records each action.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Broadcast, LogPage } from "./contract";
import { collectSse as collect, connectClient, connected, joinAsGuest, nextEvent, register, startServer, type Client, type Harness } from "./test/harness";

let h: Harness;
let adminCookie: string;
let memberCookie: string;
let admin: Client;
let member: Client;

const post = (cookie: string, path: string, body: unknown, method = "POST") =>
  fetch(`${h.url}${path}`, { method, headers: { cookie, "content-type": "application/json", origin: h.url }, body: JSON.stringify(body) });

async function head(): Promise<number> {
  return (await h.app.prisma.room.findUniqueOrThrow({ where: { slug: "general" } })).lastSeq;
}

async function until(check: () => boolean, ms = 2000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  h = await startServer();
  adminCookie = await register(h.url, "root"); // first registered: admin
  memberCookie = await register(h.url, "member");
  admin = connectClient(h.url, adminCookie);
  member = connectClient(h.url, memberCookie);
  await Promise.all([connected(admin), connected(member)]);
  for (const c of [admin, member]) assert.ok((await c.emitWithAck("room:join", { room: "general" })).ok);
});

after(async () => {
  admin?.close();
  member?.close();
  await h?.stop();
});

describe("broadcasts", () => {
  it("refuses non-admins over socket and HTTP", async () => {
    const viaSocket = await member.emitWithAck("admin:broadcast", { text: "I am admin now", level: "info" });
    assert.equal(!viaSocket.ok && viaSocket.error.code, "forbidden");
    assert.equal((await post(memberCookie, "/api/admin/broadcasts", { text: "nope", level: "info" })).status, 403);
    assert.equal((await fetch(`${h.url}/api/admin/broadcasts`, { method: "POST", body: "{}" })).status, 401);
    assert.equal(await h.app.prisma.broadcast.count(), 0);
  });

  it("reaches WebSocket, polling, SSE and long-poll within 2 s, resumes, and is accounted", async () => {
    const polling = connectClient(h.url, await joinAsGuest(h.url, "poller"), { transports: ["polling"] });
    await connected(polling);
    await polling.emitWithAck("room:join", { room: "general" });
    const cursor = await head();
    const sse = collect(await fetch(`${h.url}/api/rooms/general/feed`, { headers: { "last-event-id": String(cursor) } }));
    const waiter = fetch(`${h.url}/api/rooms/general/messages?after=${cursor}&wait=20`, { headers: { cookie: memberCookie } });
    await until(() => h.app.ctx.connections.counts().longpoll === 1 && h.app.ctx.connections.counts().sse === 1);

    const started = Date.now();
    const onWs = nextEvent(member, "broadcast", (b) => b.broadcast.text === "Maintenance at 18:00", 2000);
    const onPolling = nextEvent(polling, "broadcast", (b) => b.broadcast.text === "Maintenance at 18:00", 2000);
    const ack = await admin.emitWithAck("admin:broadcast", { text: "Maintenance at 18:00", level: "warning" });
    assert.ok(ack.ok, JSON.stringify(ack));
    const sent = ack.broadcast;
    // Live frames carry the room and the seq the broadcast took in its log.
    assert.deepEqual(await onWs, { room: "general", seq: cursor + 1, broadcast: sent });
    assert.deepEqual(await onPolling, { room: "general", seq: cursor + 1, broadcast: sent });
    const page = (await (await waiter).json()) as LogPage;
    assert.deepEqual(page.events, [{ type: "broadcast", seq: cursor + 1, broadcast: sent }]);
    await until(() => sse.events.some((e) => e.event === "broadcast"));
    assert.ok(Date.now() - started < 2000);
    const viaSse = sse.events.find((e) => e.event === "broadcast")!;
    assert.equal(viaSse.id, String(cursor + 1));
    assert.deepEqual(JSON.parse(viaSse.data), sent);

    // Accounting: admin, member and the poller are sockets in #general, plus
    // one SSE stream and one waiting long-poll.
    member.emit("broadcast:ack", { id: sent.id });
    member.emit("broadcast:ack", { id: sent.id }); // counted once per connection
    polling.emit("broadcast:ack", { id: sent.id });
    await until(() => false, 300).catch(() => {});
    await h.app.ctx.broadcasts.flushDeliveries();
    const [report] = ((await (await fetch(`${h.url}/api/admin/broadcasts`, { headers: { cookie: adminCookie } })).json()) as {
      broadcasts: { id: string; recipients: number; acks: number; lastAckMs: number | null }[];
    }).broadcasts;
    assert.equal(report!.id, sent.id);
    assert.equal(report!.recipients, 5);
    assert.equal(report!.acks, 2);
    assert.ok(report!.lastAckMs !== null && report!.lastAckMs >= 0);

    // A client that resumes later gets it from the log; one that joins fresh gets it as active.
    const resumed = await member.emitWithAck("room:join", { room: "general", after: cursor });
    assert.ok(resumed.ok && resumed.events.some((e) => e.type === "broadcast" && e.broadcast.id === sent.id));
    const fresh = connectClient(h.url, await joinAsGuest(h.url, "latecomer"));
    await connected(fresh);
    const joined = await fresh.emitWithAck("room:join", { room: "general" });
    assert.ok(joined.ok && joined.broadcasts.some((b) => b.id === sent.id));

    // Retraction removes it everywhere live, and from the active list.
    const retracted = nextEvent(fresh, "broadcast:retracted", (p) => p.id === sent.id);
    const del = await fetch(`${h.url}/api/admin/broadcasts/${sent.id}`, { method: "DELETE", headers: { cookie: adminCookie, origin: h.url } });
    assert.equal(del.status, 200);
    await retracted;
    await until(() => sse.events.some((e) => e.event === "broadcast-retracted"));
    const rejoined = await fresh.emitWithAck("room:join", { room: "general" });
    assert.ok(rejoined.ok && !rejoined.broadcasts.some((b) => b.id === sent.id));
    fresh.close();
    polling.close();
    await sse.stop();
  });

  it("targets one room, expires, and validates its input", async () => {
    const res = await post(adminCookie, "/api/admin/broadcasts", { text: "only here", level: "info", room: "general", expiresAt: new Date(Date.now() + 60_000).toISOString() });
    assert.equal(res.status, 201);
    const { broadcast } = (await res.json()) as { broadcast: Broadcast };
    assert.equal(broadcast.room, "general");
    assert.equal((await post(adminCookie, "/api/admin/broadcasts", { text: "", level: "info" })).status, 400);
    assert.equal((await post(adminCookie, "/api/admin/broadcasts", { text: "x", level: "shouting" })).status, 400);
    assert.equal((await post(adminCookie, "/api/admin/broadcasts", { text: "x", level: "info", expiresAt: "2000-01-01T00:00:00Z" })).status, 400);
    assert.equal((await post(adminCookie, "/api/admin/broadcasts", { text: "x", level: "info", room: "nowhere" })).status, 404);
  });
});

describe("moderation", () => {
  it("mutes a user in a room: their sends are refused with a reason", async () => {
    const res = await post(adminCookie, "/api/admin/mutes", { user: "member", room: "general", minutes: 10 });
    assert.equal(res.status, 201);
    const refused = await member.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "can you hear me" });
    assert.equal(!refused.ok && refused.error.code, "forbidden");
    assert.match(!refused.ok ? refused.error.message : "", /muted/);
    assert.equal((await post(memberCookie, "/api/admin/mutes", { user: "root", room: "general", minutes: 10 })).status, 403);
    assert.equal((await post(adminCookie, "/api/admin/mutes", { user: "member", room: "general" }, "DELETE")).status, 200);
    const ok = await member.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "back" });
    assert.ok(ok.ok);
  });

  it("locks a room to read-only, for everyone but admins", async () => {
    assert.equal((await post(adminCookie, "/api/admin/rooms/general/lock", { readOnly: true })).status, 200);
    const refused = await member.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "hello?" });
    assert.equal(!refused.ok && refused.error.message, "this room is read-only");
    assert.ok((await admin.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "admins may" })).ok);
    assert.equal((await post(adminCookie, "/api/admin/rooms/general/lock", { readOnly: false })).status, 200);
    assert.ok((await member.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "unlocked" })).ok);
  });

  it("bans a user: sockets and SSE streams close at once, sign-in is refused; unban reverses it", async () => {
    const victimCookie = await register(h.url, "troll", "trollpassword1");
    const s1 = connectClient(h.url, victimCookie);
    const s2 = connectClient(h.url, victimCookie, { transports: ["polling"] });
    await Promise.all([connected(s1), connected(s2)]);
    const stream = collect(await fetch(`${h.url}/api/rooms/general/feed`, { headers: { cookie: victimCookie } }));
    await until(() => h.app.ctx.connections.counts().sse === 1);
    const gone = Promise.all([s1, s2].map((s) => new Promise((resolve) => s.once("disconnect", resolve))));

    assert.equal((await post(adminCookie, "/api/admin/bans", { user: "troll", reason: "spam" })).status, 201);
    await gone;
    await stream.done;
    assert.equal(h.app.ctx.connections.counts().sse, 0);
    const signIn = await fetch(`${h.url}/api/auth/sign-in/username`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: h.url },
      body: JSON.stringify({ username: "troll", password: "trollpassword1" }),
    });
    assert.equal(signIn.status, 403);
    const again = connectClient(h.url, victimCookie);
    await assert.rejects(connected(again), /unauthorized/);
    again.close();

    assert.equal((await fetch(`${h.url}/api/admin/bans/troll`, { method: "DELETE", headers: { cookie: adminCookie, origin: h.url } })).status, 200);
    const back = await fetch(`${h.url}/api/auth/sign-in/username`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: h.url },
      body: JSON.stringify({ username: "troll", password: "trollpassword1" }),
    });
    assert.equal(back.status, 200);
  });

  it("records every action in the audit log, filterable, for admins only", async () => {
    const victim = await member.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "to be removed" });
    assert.ok(victim.ok);
    assert.ok((await admin.emitWithAck("message:delete", { room: "general", id: victim.message.id })).ok);
    const all = (await (await fetch(`${h.url}/api/admin/audit`, { headers: { cookie: adminCookie } })).json()) as {
      entries: { action: string; actor: { name: string }; targetId: string }[];
    };
    const actions = all.entries.map((e) => e.action);
    for (const a of ["broadcast.send", "broadcast.retract", "user.mute", "user.unmute", "room.lock", "room.unlock", "user.ban", "user.unban", "message.delete"]) {
      assert.ok(actions.includes(a), `missing ${a} in ${actions.join(", ")}`);
    }
    assert.ok(all.entries.every((e) => e.actor.name === "root"));
    const bans = (await (await fetch(`${h.url}/api/admin/audit?action=user.ban`, { headers: { cookie: adminCookie } })).json()) as { entries: { action: string }[] };
    assert.deepEqual(bans.entries.map((e) => e.action), ["user.ban"]);
    assert.equal((await fetch(`${h.url}/api/admin/audit`, { headers: { cookie: memberCookie } })).status, 403);
  });

  it("finds users by name or username whatever the case, on either database", async () => {
    await joinAsGuest(h.url, "Zoë Quartermaine");
    const find = async (q: string) => {
      const res = await fetch(`${h.url}/api/admin/users?q=${encodeURIComponent(q)}`, { headers: { cookie: adminCookie } });
      assert.equal(res.status, 200);
      return ((await res.json()) as { users: { name: string; username: string | null }[] }).users.map((u) => u.name);
    };
    // SQLite's LIKE ignores ASCII case by itself; PostgreSQL's needs ILIKE (server/db.ts).
    for (const q of ["quarter", "QUARTER", "Quarter"]) assert.deepEqual(await find(q), ["Zoë Quartermaine"], q);
    assert.deepEqual(await find("MEMB"), ["member"]); // the username, stored lower-cased
    assert.deepEqual(await find("nobody-like-this"), []);
    assert.equal((await fetch(`${h.url}/api/admin/users?q=x`, { headers: { cookie: memberCookie } })).status, 403);
  });
});
