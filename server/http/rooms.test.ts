import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import os from "node:os";
import { after, before, describe, it } from "node:test";
import type { RoomSummary } from "../contract";
import { connectClient, connected, register, startServer, testBus, type Client, type Harness } from "../test/harness";

describe("HTTP rooms API", () => {
  let h: Harness;
  let aliceCookie: string;
  let bobCookie: string;
  const clients: Client[] = [];

  const listRooms = async (cookie: string): Promise<RoomSummary[]> => {
    const res = await fetch(`${h.url}/api/rooms`, { headers: { cookie } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { rooms: RoomSummary[] }).rooms;
  };

  const createRoom = (cookie: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${h.url}/api/rooms`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: h.url, cookie, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  const client = async (cookie: string) => {
    const c = connectClient(h.url, cookie);
    clients.push(c);
    await connected(c);
    return c;
  };

  before(async () => {
    h = await startServer();
    aliceCookie = await register(h.url, "alice");
    bobCookie = await register(h.url, "bob");
  });

  after(async () => {
    for (const c of clients) c.close();
    await h?.stop();
  });

  it("requires a session for GET and POST /api/rooms", async () => {
    const res = await fetch(`${h.url}/api/rooms`);
    assert.equal(res.status, 401);
    const body = await res.json();
    assert.equal(body.error.code, "unauthorized");
    assert.equal(typeof body.error.message, "string");

    const bogus = await fetch(`${h.url}/api/rooms`, { headers: { cookie: "better-auth.session_token=forged.value" } });
    assert.equal(bogus.status, 401);

    const post = await createRoom("", { name: "Anonymous room" });
    assert.equal(post.status, 401);
    assert.equal(await h.app.prisma.room.count({ where: { name: "Anonymous room" } }), 0);
  });

  it("lists general first with its name, topic, online count and last message", async () => {
    const rooms = await listRooms(aliceCookie);
    assert.equal(rooms[0]?.slug, "general");
    assert.equal(rooms[0]!.name, "general");
    assert.equal(typeof rooms[0]!.topic, "string");
    assert.equal(rooms[0]!.visibility, "public");
    assert.equal(rooms[0]!.online, 0);
    assert.equal(rooms[0]!.lastMessage, null);

    const alice = await client(aliceCookie);
    const joined = await alice.emitWithAck("room:join", { room: "general" });
    assert.ok(joined.ok, JSON.stringify(joined));
    const sent = await alice.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "first!" });
    assert.ok(sent.ok, JSON.stringify(sent));

    // Seen by another user too.
    const general = (await listRooms(bobCookie)).find((r) => r.slug === "general");
    assert.ok(general);
    assert.equal(general.online, 1);
    assert.deepEqual(general.lastMessage, { body: "first!", author: "alice", guest: false, createdAt: sent.message.createdAt });

    // Two tabs of one user still count once.
    const alice2 = await client(aliceCookie);
    assert.ok((await alice2.emitWithAck("room:join", { room: "general" })).ok);
    assert.equal((await listRooms(bobCookie))[0]!.online, 1);
    alice2.close();
  });

  it("cuts a long last message at 140 characters without splitting an emoji", async () => {
    const res = await createRoom(aliceCookie, { name: "Emoji Wall" });
    assert.equal(res.status, 201);
    const alice = await client(aliceCookie);
    // 139 ASCII characters, then emoji (each two UTF-16 code units).
    const body = "x".repeat(139) + "😀".repeat(10);
    const sent = await alice.emitWithAck("message:send", { room: "emoji-wall", clientId: randomUUID(), body });
    assert.ok(sent.ok, JSON.stringify(sent));
    const room = (await listRooms(aliceCookie)).find((r) => r.slug === "emoji-wall");
    assert.ok(room?.lastMessage);
    assert.doesNotMatch(room.lastMessage.body, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, "no lone surrogate in the preview");
    assert.equal(room.lastMessage.body, "x".repeat(139) + "😀");
  });

  it("keeps general first even when another room is more recently active", async () => {
    const res = await createRoom(aliceCookie, { name: "Busy Room", topic: "lots going on" });
    assert.equal(res.status, 201);
    const alice = await client(aliceCookie);
    const sent = await alice.emitWithAck("message:send", { room: "busy-room", clientId: randomUUID(), body: "newer" });
    assert.ok(sent.ok, JSON.stringify(sent));
    const rooms = await listRooms(aliceCookie);
    assert.deepEqual(rooms.slice(0, 2).map((r) => r.slug), ["general", "busy-room"]);
    assert.equal(rooms[1]!.topic, "lots going on");
    assert.equal(rooms[1]!.lastMessage?.body, "newer");
  });

  it("creates a room with a slug from its name, and refuses a name that slugifies the same", async () => {
    const res = await createRoom(aliceCookie, { name: "  Design Team  ", topic: "pixels" });
    assert.equal(res.status, 201);
    const { room } = (await res.json()) as { room: RoomSummary };
    assert.deepEqual(room, {
      slug: "design-team",
      name: "Design Team",
      topic: "pixels",
      visibility: "public",
      readOnly: false,
      kind: "room",
      online: 0,
      lastMessage: null,
    });
    const row = await h.app.prisma.room.findUnique({ where: { slug: "design-team" }, include: { members: true } });
    assert.ok(row);
    const aliceRow = await h.app.prisma.user.findUniqueOrThrow({ where: { username: "alice" } });
    assert.equal(row.createdById, aliceRow.id);
    assert.deepEqual(row.members.map((m) => [m.userId, m.role]), [[aliceRow.id, "owner"]]);

    // Listed for everyone, since it is public.
    assert.ok((await listRooms(bobCookie)).some((r) => r.slug === "design-team"));

    for (const name of ["design team", "DESIGN-TEAM!", "Design   Team"]) {
      const dup = await createRoom(bobCookie, { name });
      assert.equal(dup.status, 409, name);
      const body = await dup.json();
      assert.equal(body.error.code, "conflict");
      assert.match(body.error.message, /already exists/);
      // It names what actually collides, not the name just typed.
      assert.match(body.error.message, /"design-team"/);
    }
    assert.equal(await h.app.prisma.room.count({ where: { slug: "design-team" } }), 1);
  });

  it("answers invalid bodies with 400 and a reason", async () => {
    const cases: { body: unknown; reason: RegExp }[] = [
      { body: { name: "" }, reason: /name/ },
      { body: { name: "   " }, reason: /name/ },
      { body: {}, reason: /name/ },
      { body: { name: "x".repeat(49) }, reason: /48/ },
      { body: { name: "ok", visibility: "secret" }, reason: /visibility/ },
      { body: "{not json", reason: /JSON/ },
      // An empty body reads as {} (or as not-JSON): refused either way.
      { body: "", reason: /JSON|name/ },
    ];
    const before = await h.app.prisma.room.count();
    for (const { body, reason } of cases) {
      const res = await createRoom(aliceCookie, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const json = await res.json();
      assert.equal(json.error.code, "invalid");
      assert.match(json.error.message, reason, JSON.stringify(body));
    }
    assert.equal(await h.app.prisma.room.count(), before);
  });

  it("shows a private room only to its creator, and only the creator can join it", async () => {
    const res = await createRoom(aliceCookie, { name: "Secret Plans", visibility: "private" });
    assert.equal(res.status, 201);
    const { room } = (await res.json()) as { room: RoomSummary };
    assert.equal(room.slug, "secret-plans");
    assert.equal(room.visibility, "private");

    assert.ok((await listRooms(aliceCookie)).some((r) => r.slug === "secret-plans"));
    assert.ok(!(await listRooms(bobCookie)).some((r) => r.slug === "secret-plans"));

    const bob = await client(bobCookie);
    const refused = await bob.emitWithAck("room:join", { room: "secret-plans" });
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.error.code, "not_found");
    const send = await bob.emitWithAck("message:send", { room: "secret-plans", clientId: randomUUID(), body: "let me in" });
    assert.equal(!send.ok && send.error.code, "not_found");
    const history = await fetch(`${h.url}/api/rooms/secret-plans/messages`, { headers: { cookie: bobCookie } });
    assert.equal(history.status, 404);

    const alice = await client(aliceCookie);
    const joined = await alice.emitWithAck("room:join", { room: "secret-plans" });
    assert.ok(joined.ok, JSON.stringify(joined));
    assert.equal(joined.room.slug, "secret-plans");
    assert.deepEqual(joined.online.map((u) => u.name), ["alice"]);
  });

  it("refuses a POST from a foreign Origin with 403 and creates nothing", async () => {
    const before = await h.app.prisma.room.count();
    for (const origin of ["https://evil.example", "null", "not a url"]) {
      const res = await createRoom(aliceCookie, { name: "Phishing" }, { origin });
      assert.equal(res.status, 403, origin);
      assert.equal((await res.json()).error.code, "forbidden");
    }
    assert.equal(await h.app.prisma.room.count(), before);
    assert.ok(!(await listRooms(aliceCookie)).some((r) => r.slug === "phishing"));
  });

  it("reports health", async () => {
    const res = await fetch(`${h.url}/api/health`);
    assert.equal(res.status, 200);
    // The database it runs on (TEST_DB), and the default node id: hostname-pid.
    assert.deepEqual(await res.json(), { ok: true, db: h.db, bus: testBus(), node: `${os.hostname()}-${process.pid}`, version: "test" });
  });

  it("refuses a request body over 64 KiB with 413 and keeps serving", async () => {
    const res = await createRoom(aliceCookie, JSON.stringify({ name: "Huge", topic: "x".repeat(70 * 1024) }));
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, "too_large");
    assert.equal(await h.app.prisma.room.count({ where: { name: "Huge" } }), 0);
    // Just under the limit is parsed (and refused by validation, not by size).
    const under = await createRoom(aliceCookie, JSON.stringify({ name: "Big", topic: "x".repeat(60 * 1024) }));
    assert.equal(under.status, 400);
    const health = await fetch(`${h.url}/api/health`);
    assert.equal(health.status, 200);
  });

  it("answers unknown API routes with 404 and a wrong method with 405", async () => {
    const missing = await fetch(`${h.url}/api/nope`, { headers: { cookie: aliceCookie } });
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, "not_found");
    const wrong = await fetch(`${h.url}/api/health`, { method: "DELETE", headers: { origin: h.url } });
    assert.equal(wrong.status, 405);
  });
});
