/**
 * Direct messages, blocks and reports over HTTP, Socket.IO, /ws, SSE and
 * long-poll: one room per pair (also when both open it at once), the
 * share-a-room and block rules, and an admin who cannot read a DM on any
 * transport but sees its reported messages in the audit log.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import type { Message, RoomSummary } from "../contract";
import { connectClient, connected, register, startServer, type Harness } from "../test/harness";

describe("direct messages", () => {
  let h: Harness;
  const cookies: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let dm: RoomSummary;
  let secret: Message;

  const call = (who: string, method: string, path: string, body?: unknown) =>
    fetch(`${h.url}${path}`, {
      method,
      headers: { "content-type": "application/json", cookie: cookies[who]!, origin: h.url },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const post = (who: string, path: string, body: unknown) => call(who, "POST", path, body);
  const get = (who: string, path: string) => call(who, "GET", path);

  before(async () => {
    h = await startServer();
    // root registers first and is the admin.
    for (const name of ["root", "alice", "bob", "carol", "dave"]) {
      cookies[name] = await register(h.url, name);
      ids[name] = (await h.app.prisma.user.findUniqueOrThrow({ where: { username: name } })).id;
    }
    // Bob, Carol and root speak in #general; Dave never shows up anywhere.
    for (const who of ["bob", "carol", "root"]) {
      const res = await post(who, "/api/rooms/general/messages", { clientId: randomUUID(), body: `hi from ${who}` });
      assert.equal(res.status, 201);
    }
  });

  after(async () => {
    await h?.stop();
  });

  it("opens one private room for a pair, whoever opens it and however often", async () => {
    const res = await post("alice", "/api/dms", { username: "BOB" });
    assert.equal(res.status, 200);
    dm = ((await res.json()) as { room: RoomSummary }).room;
    assert.equal(dm.kind, "dm");
    assert.equal(dm.visibility, "private");
    assert.equal(dm.name, "bob", "titled with the other person's name");
    assert.deepEqual(dm.peer, { id: ids.bob, name: "bob" });

    const back = ((await (await post("bob", "/api/dms", { userId: ids.alice })).json()) as { room: RoomSummary }).room;
    assert.equal(back.slug, dm.slug);
    assert.equal(back.name, "alice");
    const members = await h.app.prisma.roomMember.findMany({ where: { room: { slug: dm.slug } }, select: { userId: true } });
    assert.deepEqual(members.map((m) => m.userId).sort(), [ids.alice, ids.bob].sort());
  });

  it("gives racing openers of a new pair the same room", async () => {
    const answers = await Promise.all([
      ...Array.from({ length: 4 }, () => post("carol", "/api/dms", { username: "bob" })),
      ...Array.from({ length: 4 }, () => post("bob", "/api/dms", { username: "carol" })),
    ]);
    const slugs = new Set<string>();
    for (const res of answers) {
      assert.equal(res.status, 200);
      slugs.add(((await res.json()) as { room: RoomSummary }).room.slug);
    }
    assert.equal(slugs.size, 1);
    assert.equal(await h.app.prisma.room.count({ where: { kind: "dm", members: { some: { userId: ids.carol } } } }), 1);
  });

  it("lists DMs apart from rooms", async () => {
    const rooms = ((await (await get("alice", "/api/rooms")).json()) as { rooms: RoomSummary[] }).rooms;
    assert.ok(rooms.every((r) => r.kind === "room"));
    assert.ok(!rooms.some((r) => r.slug === dm.slug));
    const dms = ((await (await get("alice", "/api/dms")).json()) as { dms: RoomSummary[] }).dms;
    assert.deepEqual(
      dms.map((d) => [d.slug, d.name]),
      [[dm.slug, "bob"]],
    );
  });

  it("refuses a DM with someone you share no room with, with yourself, and unknown users", async () => {
    const stranger = await post("alice", "/api/dms", { username: "dave" });
    assert.equal(stranger.status, 403);
    assert.equal(((await stranger.json()) as { error: { code: string } }).error.code, "forbidden");
    assert.equal((await post("alice", "/api/dms", { username: "alice" })).status, 400);
    assert.equal((await post("alice", "/api/dms", { username: "nobody" })).status, 404);
    assert.equal((await post("alice", "/api/dms", {})).status, 400);

    // A private room in common is a shared room.
    assert.equal((await post("dave", "/api/rooms", { name: "Dave's den", visibility: "private" })).status, 201);
    assert.equal((await post("dave", "/api/rooms/dave-s-den/members", { username: "alice" })).status, 201);
    assert.equal((await post("alice", "/api/dms", { username: "dave" })).status, 200);
  });

  it("lets members talk in the DM over Socket.IO and HTTP", async () => {
    const bob = connectClient(h.url, cookies.bob);
    await connected(bob);
    try {
      const joined = await bob.emitWithAck("room:join", { room: dm.slug });
      assert.ok(joined.ok, JSON.stringify(joined));
      if (joined.ok) assert.equal(joined.room.name, "alice");
      const live = new Promise<Message>((resolve) => bob.on("message:new", (m) => resolve(m)));
      const res = await post("alice", `/api/rooms/${dm.slug}/messages`, { clientId: randomUUID(), body: "psst, the launch code is 1234" });
      assert.equal(res.status, 201);
      secret = ((await res.json()) as { message: Message }).message;
      assert.equal((await live).id, secret.id);
    } finally {
      bob.close();
    }
  });

  it("keeps an admin out of the DM on every transport", async () => {
    const admin = connectClient(h.url, cookies.root);
    await connected(admin);
    try {
      const joined = await admin.emitWithAck("room:join", { room: dm.slug });
      assert.equal(joined.ok, false);
      if (!joined.ok) assert.equal(joined.error.code, "not_found");
      const sent = await admin.emitWithAck("message:send", { room: dm.slug, clientId: randomUUID(), body: "let me in" });
      assert.equal(sent.ok, false);
      const deleted = await admin.emitWithAck("message:delete", { room: dm.slug, id: secret.id });
      assert.equal(deleted.ok, false);
    } finally {
      admin.close();
    }
    // HTTP history, the around page, long-poll, SSE.
    for (const path of [
      `/api/rooms/${dm.slug}/messages`,
      `/api/rooms/${dm.slug}/messages?around=${secret.seq}`,
      `/api/rooms/${dm.slug}/messages?after=0`,
      `/api/rooms/${dm.slug}/feed`,
      `/api/search?q=launch&room=${dm.slug}`,
    ]) {
      const res = await get("root", path);
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
    // Search everywhere: the DM's text never shows.
    const found = (await (await get("root", "/api/search?q=launch")).json()) as { hits: unknown[] };
    assert.equal(found.hits.length, 0);
    // /ws
    const ws = new WebSocket(`${h.url.replace(/^http/, "ws")}/ws`, { headers: { cookie: cookies.root!, origin: h.url } });
    await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
    const reply = new Promise<{ ok: boolean; error?: { code: string } }>((resolve) =>
      ws.on("message", (data) => {
        const frame = JSON.parse(String(data)) as { type: string; id?: string; ok: boolean; error?: { code: string } };
        if (frame.type === "reply" && frame.id === "j1") resolve(frame);
      }),
    );
    ws.send(JSON.stringify({ type: "room:join", room: dm.slug, id: "j1" }));
    const answer = await reply;
    ws.close();
    assert.equal(answer.ok, false);
    assert.equal(answer.error?.code, "not_found");
    // Nobody can be added to a DM, so an admin cannot get in that way either; nor be given a feed token.
    assert.equal((await post("alice", `/api/rooms/${dm.slug}/members`, { username: "root" })).status, 400);
    assert.equal((await call("alice", "DELETE", `/api/rooms/${dm.slug}/members/${ids.bob}`)).status, 400);
    assert.equal((await post("alice", `/api/rooms/${dm.slug}/feed-tokens`, { label: "leak" })).status, 400);
    assert.equal((await fetch(`${h.url}/embed/${dm.slug}`)).status, 404);
    // Admin actions do not reach a DM either: for them it does not exist.
    assert.equal((await post("root", "/api/admin/rooms/" + dm.slug + "/lock", { readOnly: true })).status, 404);
    assert.equal((await post("root", "/api/admin/mutes", { user: "alice", room: dm.slug, minutes: 5 })).status, 404);
    assert.equal((await post("root", "/api/admin/broadcasts", { text: "hello DM", level: "info", room: dm.slug })).status, 404);
    // The operations view does not list DMs.
    const stats = await get("root", "/api/admin/stats");
    assert.equal(stats.status, 200);
    assert.doesNotMatch(await stats.text(), new RegExp(dm.slug));
  });

  it("records a reported message in the audit log, which admins see", async () => {
    const res = await post("bob", `/api/rooms/${dm.slug}/messages/${secret.id}/report`, { reason: "spam" });
    assert.equal(res.status, 201);
    const { report } = (await res.json()) as { report: { id: string } };
    // Reporting twice is one report.
    const again = (await (await post("bob", `/api/rooms/${dm.slug}/messages/${secret.id}/report`, {})).json()) as { report: { id: string } };
    assert.equal(again.report.id, report.id);
    // Outsiders cannot report what they cannot read; nobody reports themselves.
    assert.equal((await post("carol", `/api/rooms/${dm.slug}/messages/${secret.id}/report`, {})).status, 404);
    assert.equal((await post("alice", `/api/rooms/${dm.slug}/messages/${secret.id}/report`, {})).status, 400);

    const audit = await get("root", "/api/admin/audit?action=message.report");
    assert.equal(audit.status, 200);
    const { entries } = (await audit.json()) as { entries: { id: string; actor: { name: string }; targetId: string; detail: Record<string, unknown> }[] };
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.actor.name, "bob");
    assert.equal(entries[0]!.targetId, secret.id);
    assert.equal(entries[0]!.detail.text, "psst, the launch code is 1234");
    assert.equal(entries[0]!.detail.reason, "spam");
    assert.equal(entries[0]!.detail.kind, "dm");
    assert.equal((await get("alice", "/api/admin/audit")).status, 403);
  });

  it("blocks: no new DM, no more messages in an existing one, until unblocked", async () => {
    const res = await post("bob", "/api/blocks", { username: "alice" });
    assert.equal(res.status, 201);
    assert.deepEqual(((await (await get("bob", "/api/blocks")).json()) as { blocks: { id: string }[] }).blocks.map((b) => b.id), [ids.alice]);
    // Neither side can open it, nor post in it.
    assert.equal((await post("alice", "/api/dms", { username: "bob" })).status, 403);
    assert.equal((await post("bob", "/api/dms", { username: "alice" })).status, 403);
    assert.equal((await post("alice", `/api/rooms/${dm.slug}/messages`, { clientId: randomUUID(), body: "hello?" })).status, 403);
    const socket = connectClient(h.url, cookies.alice);
    await connected(socket);
    const ack = await socket.emitWithAck("message:send", { room: dm.slug, clientId: randomUUID(), body: "hello??" });
    // The composer learns it on join, from the same rule the send is refused by.
    const joined = await socket.emitWithAck("room:join", { room: dm.slug });
    socket.close();
    assert.equal(ack.ok, false);
    if (!ack.ok) assert.deepEqual([ack.error.code, ack.error.reason], ["forbidden", "dm_blocked"]);
    assert.ok(joined.ok);
    if (joined.ok) assert.deepEqual(joined.posting, { allowed: false, reason: "dm_blocked" });

    assert.equal((await call("bob", "DELETE", `/api/blocks/${ids.alice}`)).status, 200);
    assert.equal((await call("bob", "DELETE", `/api/blocks/${ids.alice}`)).status, 404);
    assert.equal((await post("alice", "/api/dms", { username: "bob" })).status, 200);
    assert.equal((await post("alice", `/api/rooms/${dm.slug}/messages`, { clientId: randomUUID(), body: "hello again" })).status, 201);
    assert.equal((await post("bob", "/api/blocks", { username: "bob" })).status, 400);
  });

  it("puts a new DM in the other person's sidebar at once, with its unread count", async () => {
    for (const name of ["erin", "frank"]) {
      cookies[name] = await register(h.url, name);
      ids[name] = (await h.app.prisma.user.findUniqueOrThrow({ where: { username: name } })).id;
    }
    assert.equal((await post("frank", "/api/rooms", { name: "Frank's den", visibility: "private" })).status, 201);
    assert.equal((await post("frank", "/api/rooms/frank-s-den/members", { username: "erin" })).status, 201);
    const frank = connectClient(h.url, cookies.frank!);
    await connected(frank);
    try {
      const watched = await frank.emitWithAck("rooms:watch", {});
      assert.ok(watched.ok);
      const changed = new Promise<{ room: string }>((resolve) => frank.once("rooms:changed", resolve));
      const res = await post("erin", "/api/dms", { username: "frank" });
      assert.equal(res.status, 200);
      const room = ((await res.json()) as { room: RoomSummary }).room;
      assert.equal((await changed).room, room.slug);
      assert.equal((await post("erin", `/api/rooms/${room.slug}/messages`, { clientId: randomUUID(), body: "psst" })).status, 201);

      const again = await frank.emitWithAck("rooms:watch", {});
      assert.ok(again.ok);
      const entry = again.rooms.find((r) => r.slug === room.slug);
      assert.equal(entry?.kind, "dm");
      assert.equal(entry?.name, "erin");
      assert.equal(entry?.unread, 1);
      // Over HTTP the sidebar asks for DMs explicitly; the lobby's list stays rooms only.
      const withDms = ((await (await get("frank", "/api/rooms?include=dms")).json()) as { rooms: { slug: string; unread: number }[] }).rooms;
      assert.equal(withDms.find((r) => r.slug === room.slug)?.unread, 1);
      const plain = ((await (await get("frank", "/api/rooms")).json()) as { rooms: { slug: string }[] }).rooms;
      assert.ok(!plain.some((r) => r.slug === room.slug));
    } finally {
      frank.close();
    }
  });
});
