import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import type { RoomActivity, RoomEntry, RoomRead, RoomSettings, WsServerFrame } from "./contract";
import { createMemoryBus } from "./bus";
import { connectClient, connected, nextEvent, register, startServer, type Client, type Harness } from "./test/harness";

/** Collects every event of one kind a client receives. */
function record<T>(c: Client, event: "room:read" | "room:settings" | "room:activity"): T[] {
  const got: T[] = [];
  c.on(event, ((p: T) => got.push(p)) as never);
  return got;
}

describe("read state", () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  const clients: Client[] = [];

  const client = async (cookie: string) => {
    const c = connectClient(h.url, cookie);
    clients.push(c);
    await connected(c);
    return c;
  };
  const rooms = async (cookie: string): Promise<RoomEntry[]> => {
    const res = await fetch(`${h.url}/api/rooms`, { headers: { cookie } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { rooms: RoomEntry[]; now: string };
    assert.ok(!Number.isNaN(Date.parse(body.now)));
    return body.rooms;
  };
  const entry = async (cookie: string, slug: string) => {
    const found = (await rooms(cookie)).find((r) => r.slug === slug);
    assert.ok(found, `no ${slug} in the list`);
    return found;
  };
  const post = (cookie: string, path: string, body: unknown, method = "POST") =>
    fetch(`${h.url}${path}`, { method, headers: { "content-type": "application/json", origin: h.url, cookie }, body: JSON.stringify(body) });
  const say = async (c: Client, room: string, body: string) => {
    const ack = await c.emitWithAck("message:send", { room, clientId: randomUUID(), body });
    assert.ok(ack.ok);
    return ack.message;
  };

  before(async () => {
    h = await startServer();
    alice = await register(h.url, "alice"); // the first account: admin
    bob = await register(h.url, "bob");
  });
  after(async () => {
    for (const c of clients) c.close();
    await h?.stop();
  });

  it("counts unread messages and mentions per user, and two connections of one user stay in sync", async () => {
    const b = await client(bob);
    await say(b, "general", "hello");
    await say(b, "general", "anyone there, @Alice?");
    const last = await say(b, "general", "third");

    const mine = await entry(alice, "general");
    assert.equal(mine.kind, "room");
    assert.equal(mine.unread, 3);
    assert.equal(mine.mentions, 1);
    assert.equal(mine.lastReadSeq, 0);
    assert.equal(mine.lastSeq, last.seq);
    // Bob wrote them: nothing unread for him.
    const his = await entry(bob, "general");
    assert.equal(his.unread, 0);

    const a1 = await client(alice);
    const a2 = await client(alice);
    const bobReads = record<RoomRead>(b, "room:read");
    const onA2 = nextEvent(a2, "room:read", (p) => p.room === "general");
    const ack = await a1.emitWithAck("room:read", { room: "general", seq: last.seq - 1 });
    assert.ok(ack.ok);
    assert.deepEqual({ room: ack.room, seq: ack.seq }, { room: "general", seq: last.seq - 1 });
    assert.deepEqual(await onA2, { room: "general", seq: last.seq - 1 });

    const partly = await entry(alice, "general");
    assert.equal(partly.unread, 1);
    assert.equal(partly.mentions, 0);
    assert.equal(partly.lastReadSeq, last.seq - 1);

    // Over HTTP, the sockets hear of it too; a position past the head is clamped to it.
    const onA1 = nextEvent(a1, "room:read", (p) => p.seq === last.seq);
    const res = await post(alice, "/api/rooms/general/read", { seq: last.seq + 1000 });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { room: "general", seq: last.seq });
    await onA1;
    assert.equal((await entry(alice, "general")).unread, 0);

    // Never backwards: an older read from a stale tab changes nothing and tells nobody.
    const stale = await a2.emitWithAck("room:read", { room: "general", seq: 1 });
    assert.ok(stale.ok);
    assert.equal(stale.seq, last.seq);
    assert.equal((await entry(alice, "general")).lastReadSeq, last.seq);

    // Another user's counts and sockets are untouched.
    assert.equal((await entry(bob, "general")).lastReadSeq, 0);
    assert.deepEqual(bobReads, []);
  });

  it("reads over /ws too, and a /ws connection hears of reads elsewhere", async () => {
    const b = await client(bob);
    await say(b, "general", "for the ws reader");
    const m = await say(b, "general", "and one more");
    const ws = new WebSocket(`${h.url.replace(/^http/, "ws")}/ws`, { headers: { cookie: alice, origin: h.url } });
    const frames: WsServerFrame[] = [];
    ws.on("message", (data) => frames.push(JSON.parse(String(data)) as WsServerFrame));
    await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
    const waitFrame = async (pred: (f: WsServerFrame) => boolean) => {
      for (let i = 0; i < 300 && !frames.some(pred); i += 1) await new Promise((r) => setTimeout(r, 10));
      const found = frames.find(pred);
      assert.ok(found, `no such frame in ${JSON.stringify(frames)}`);
      return found;
    };
    try {
      const a = await client(alice);
      const onSocket = nextEvent(a, "room:read", (p) => p.seq === m.seq - 1);
      ws.send(JSON.stringify({ type: "room:read", id: "r1", room: "general", seq: m.seq - 1 }));
      const reply = await waitFrame((f) => f.type === "reply" && f.id === "r1");
      assert.deepEqual(reply, { type: "reply", id: "r1", ok: true, room: "general", seq: m.seq - 1 });
      await onSocket;
      // The other way round: a read on Socket.IO reaches the /ws connection.
      const ack = await a.emitWithAck("room:read", { room: "general", seq: m.seq });
      assert.ok(ack.ok);
      assert.deepEqual(await waitFrame((f) => f.type === "room:read" && f.seq === m.seq), { type: "room:read", room: "general", seq: m.seq });
      ws.send(JSON.stringify({ type: "room:read", id: "r2", room: "no-such-room", seq: 1 }));
      const refused = await waitFrame((f) => f.type === "reply" && f.id === "r2");
      assert.equal(refused.type === "reply" && !refused.ok && refused.error.code, "not_found");
    } finally {
      ws.close();
    }
  });

  it("refuses to mark a room the user cannot read, on every path", async () => {
    const created = await post(bob, "/api/rooms", { name: "Bob private", visibility: "private" });
    assert.equal(created.status, 201);
    const { room } = (await created.json()) as { room: { slug: string } };
    const b = await client(bob);
    await say(b, room.slug, "secret");

    const a = await client(alice);
    const ack = await a.emitWithAck("room:read", { room: room.slug, seq: 1 });
    assert.equal(ack.ok, false);
    if (!ack.ok) assert.equal(ack.error.code, "not_found");
    assert.equal((await post(alice, `/api/rooms/${room.slug}/read`, { seq: 1 })).status, 404);
    assert.equal((await post("", `/api/rooms/general/read`, { seq: 1 })).status, 401);
    const bad = await a.emitWithAck("room:read", { room: "general", seq: -1 } as never);
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.error.code, "invalid");
    assert.equal(await h.app.prisma.readState.count({ where: { room: { slug: room.slug } } }), 0);
    // Not in her list, and no activity from it.
    const watch = await a.emitWithAck("rooms:watch", {});
    assert.ok(watch.ok);
    assert.equal(watch.rooms.some((r) => r.slug === room.slug), false);
    const seen = record<RoomActivity>(a, "room:activity");
    await say(b, room.slug, "still secret");
    await say(b, "general", "public again");
    await nextEvent(a, "room:activity", (p) => p.room === "general");
    assert.deepEqual(
      seen.map((s) => s.room),
      ["general"],
    );
  });

  it("sends room activity to watching sockets, with the preview for notifications", async () => {
    const a = await client(alice);
    const watch = await a.emitWithAck("rooms:watch", {});
    assert.ok(watch.ok);
    assert.ok(!Number.isNaN(Date.parse(watch.serverTime)));
    const general = watch.rooms.find((r) => r.slug === "general");
    assert.ok(general);
    const b = await client(bob);
    const activity = nextEvent(a, "room:activity", (p) => p.room === "general");
    const m = await say(b, "general", "@alice look");
    const got = await activity;
    assert.equal(got.seq, m.seq);
    assert.equal(got.author.id, m.author.id);
    assert.equal(got.preview, "@alice look");
  });

  it("keeps mute per user and room, server-side, and tells the user's other connections", async () => {
    const a1 = await client(alice);
    const a2 = await client(alice);
    const b = await client(bob);
    const bobSettings = record<RoomSettings>(b, "room:settings");
    const onA2 = nextEvent(a2, "room:settings");
    const res = await post(alice, "/api/rooms/general/settings", { muted: true }, "PUT");
    assert.equal(res.status, 200);
    assert.deepEqual(await onA2, { room: "general", muted: true });
    assert.equal((await entry(alice, "general")).muted, true);
    assert.equal((await entry(bob, "general")).muted, false);
    // Muting does not touch the read position.
    const before = (await entry(alice, "general")).lastReadSeq;
    assert.ok(before > 0);
    assert.equal((await post(alice, "/api/rooms/general/settings", { muted: "yes" }, "PUT")).status, 400);
    const unmute = nextEvent(a1, "room:settings", (p) => !p.muted);
    assert.equal((await post(alice, "/api/rooms/general/settings", { muted: false }, "PUT")).status, 200);
    await unmute;
    assert.equal((await entry(alice, "general")).muted, false);
    assert.equal((await entry(alice, "general")).lastReadSeq, before);
    assert.equal((await post(alice, "/api/rooms/no-such-room/settings", { muted: true }, "PUT")).status, 404);
    assert.deepEqual(bobSettings, []);
  });

  it("starts a room never read where the user joined Relay: the count and the join's position agree", async () => {
    const a = await client(alice);
    await a.emitWithAck("room:join", { room: "general" });
    for (const body of ["before carol 1", "before carol 2"]) await say(a, "general", body);
    const carol = await register(h.url, "carol");
    const before = await entry(carol, "general");
    assert.equal(before.unread, 0, "history from before carol joined is not unread");
    const c = await client(carol);
    const first = await c.emitWithAck("room:join", { room: "general" });
    assert.ok(first.ok);
    assert.equal(first.lastReadSeq, first.head, "nothing new yet: the divider starts at the end");
    const news = await say(a, "general", "after carol joined");
    assert.equal((await entry(carol, "general")).unread, 1);
    const again = await c.emitWithAck("room:join", { room: "general" });
    assert.ok(again.ok);
    assert.equal(again.lastReadSeq, first.head, "still unread: the divider sits just before the new message");
    assert.ok(news.seq > again.lastReadSeq);
  });

  it("tells a joining user their read position, the server's clock and whether they may post", async () => {
    const b = await client(bob);
    const join = await b.emitWithAck("room:join", { room: "general" });
    assert.ok(join.ok);
    assert.deepEqual(join.posting, { allowed: true });
    assert.equal(typeof join.lastReadSeq, "number");
    assert.ok(Math.abs(Date.parse(join.serverTime) - Date.now()) < 60_000);

    const mute = await post(alice, "/api/admin/mutes", { user: "bob", room: "general", minutes: 5 });
    assert.equal(mute.status, 201);
    const { until } = (await mute.json()) as { until: string };
    const muted = await b.emitWithAck("room:join", { room: "general" });
    assert.ok(muted.ok);
    assert.deepEqual(muted.posting, { allowed: false, reason: "muted", until });
    await post(alice, "/api/admin/mutes", { user: "bob", room: "general" }, "DELETE");

    assert.equal((await post(alice, "/api/admin/rooms/general/lock", { readOnly: true })).status, 200);
    const locked = await b.emitWithAck("room:join", { room: "general" });
    assert.ok(locked.ok);
    assert.deepEqual(locked.posting, { allowed: false, reason: "read_only" });
    // Admins may still post in a read-only room.
    const a = await client(alice);
    const adminJoin = await a.emitWithAck("room:join", { room: "general" });
    assert.ok(adminJoin.ok);
    assert.deepEqual(adminJoin.posting, { allowed: true });
    assert.equal((await post(alice, "/api/admin/rooms/general/lock", { readOnly: false })).status, 200);
  });
});

describe("read state across nodes", () => {
  it("reaches the user's connections on another node, and only theirs", async () => {
    // Two nodes over one database and one bus: what a Redis bus is between processes.
    const bus = createMemoryBus();
    const one = await startServer({ bus });
    const two = await startServer({ dir: one.dir, bus });
    const sockets: Client[] = [];
    try {
      const cookie = await register(one.url, "carol");
      const other = await register(one.url, "dave");
      const open = async (url: string, c: string) => {
        const s = connectClient(url, c);
        sockets.push(s);
        await connected(s);
        return s;
      };
      const onOne = await open(one.url, cookie);
      const onTwo = await open(two.url, cookie);
      const daveOnTwo = await open(two.url, other);
      const sent = await daveOnTwo.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "across" });
      assert.ok(sent.ok);
      const daveHeard = record<RoomRead>(daveOnTwo, "room:read");
      const heard = nextEvent(onTwo, "room:read", (p) => p.seq === sent.message.seq);
      const ack = await onOne.emitWithAck("room:read", { room: "general", seq: sent.message.seq });
      assert.ok(ack.ok);
      assert.deepEqual(await heard, { room: "general", seq: sent.message.seq });
      assert.deepEqual(daveHeard, []);
    } finally {
      for (const s of sockets) s.close();
      await two.stop({ keepData: true });
      await one.stop();
    }
  });
});
