/**
 * Edits and deletions are room-log events: they reach every transport live
 * and every resuming client, and only the author (or, to delete, an admin)
 * may make them.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import type { LogPage, Message } from "./contract";
import { collectSse, connectClient, connected, joinAsGuest, nextEvent, register, startServer, type Client, type Harness } from "./test/harness";

let h: Harness;
let adminCookie: string;
let aliceCookie: string;
let admin: Client;
let alice: Client;
let bob: Client;

async function say(client: Client, body: string): Promise<Message> {
  const ack = await client.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body });
  assert.ok(ack.ok, JSON.stringify(ack));
  return ack.message;
}

async function head(): Promise<number> {
  return (await h.app.prisma.room.findUniqueOrThrow({ where: { slug: "general" } })).lastSeq;
}

before(async () => {
  h = await startServer();
  adminCookie = await register(h.url, "boss"); // the first registered account is admin
  aliceCookie = await register(h.url, "alice");
  admin = connectClient(h.url, adminCookie);
  alice = connectClient(h.url, aliceCookie);
  bob = connectClient(h.url, await joinAsGuest(h.url, "Bob"), { transports: ["polling"] });
  await Promise.all([connected(admin), connected(alice), connected(bob)]);
  for (const c of [admin, alice, bob]) assert.ok((await c.emitWithAck("room:join", { room: "general" })).ok);
});

after(async () => {
  for (const c of [admin, alice, bob]) c?.close();
  await h?.stop();
});

describe("moderation through the room log", () => {
  it("lets the author edit, shown to others as message:updated with a new seq", async () => {
    const original = await say(alice, "frist");
    const seen = nextEvent(bob, "message:updated", (p) => p.id === original.id);
    const ack = await alice.emitWithAck("message:edit", { room: "general", id: original.id, body: "first" });
    assert.ok(ack.ok, JSON.stringify(ack));
    assert.equal(ack.message.body, "first");
    assert.ok(ack.message.editedAt);
    const update = await seen;
    assert.equal(update.message.body, "first");
    assert.equal(update.seq, original.seq + 1);

    const other = await bob.emitWithAck("message:edit", { room: "general", id: original.id, body: "hijacked" });
    assert.equal(!other.ok && other.error.code, "forbidden");
    const byAdmin = await admin.emitWithAck("message:edit", { room: "general", id: original.id, body: "admins cannot put words in mouths" });
    assert.equal(!byAdmin.ok && byAdmin.error.code, "forbidden");
    const tooLong = await alice.emitWithAck("message:edit", { room: "general", id: original.id, body: "x".repeat(4001) });
    assert.equal(!tooLong.ok && tooLong.error.code, "too_large");
  });

  it("lets authors delete their own messages and admins any, nobody else", async () => {
    const mine = await say(bob, "oops, wrong room");
    const byOther = await alice.emitWithAck("message:delete", { room: "general", id: mine.id });
    assert.equal(!byOther.ok && byOther.error.code, "forbidden");
    const seen = nextEvent(alice, "message:deleted", (p) => p.id === mine.id);
    const own = await bob.emitWithAck("message:delete", { room: "general", id: mine.id });
    assert.ok(own.ok);
    assert.deepEqual(await seen, { room: "general", id: mine.id, seq: (await head()) });

    const abuse = await say(bob, "something abusive");
    assert.ok((await admin.emitWithAck("message:delete", { room: "general", id: abuse.id })).ok);
    const again = await admin.emitWithAck("message:delete", { room: "general", id: abuse.id });
    assert.equal(!again.ok && again.error.code, "not_found");
    const stored = await h.app.prisma.message.findUniqueOrThrow({ where: { id: abuse.id } });
    assert.equal(stored.body, "", "the text is erased, not just hidden");
    assert.ok(stored.deletedAt);

    const history = (await (await fetch(`${h.url}/api/rooms/general/messages`, { headers: { cookie: aliceCookie } })).json()) as { messages: Message[] };
    assert.ok(!history.messages.some((m) => m.id === abuse.id || m.id === mine.id));
  });

  it("delivers a deletion to Socket.IO (WebSocket and polling), SSE, long-poll and native WebSocket", async () => {
    const victim = await say(alice, "delete me everywhere");
    const cursor = await head();

    // SSE
    const sse = collectSse(await fetch(`${h.url}/api/rooms/general/feed`, { headers: { "last-event-id": String(cursor) } }));
    const sseEvents = sse.events;

    // Long-poll waiter
    const waiter = fetch(`${h.url}/api/rooms/general/messages?after=${cursor}&wait=20`, { headers: { cookie: aliceCookie } });

    // Native WebSocket
    const ws = new WebSocket(`${h.url.replace("http", "ws")}/ws`, { headers: { cookie: aliceCookie } });
    const wsFrames: { type: string; id?: unknown }[] = [];
    ws.on("message", (d) => wsFrames.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once("open", r));
    ws.send(JSON.stringify({ type: "room:join", id: 1, room: "general" }));
    while (!wsFrames.some((f) => f.type === "reply")) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200)); // all three are listening

    // Socket.IO over WebSocket (alice) and over polling only (bob).
    const onWebSocket = nextEvent(alice, "message:deleted", (p) => p.id === victim.id);
    const onPolling = nextEvent(bob, "message:deleted", (p) => p.id === victim.id);
    const ack = await admin.emitWithAck("message:delete", { room: "general", id: victim.id });
    assert.ok(ack.ok);
    assert.equal((await onWebSocket).seq, cursor + 1);
    assert.equal((await onPolling).seq, cursor + 1);
    assert.equal(bob.io.engine.transport.name, "polling");

    const polled = (await (await waiter).json()) as LogPage;
    assert.deepEqual(polled.events, [{ type: "message:deleted", seq: cursor + 1, room: "general", id: victim.id }]);

    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && !(sseEvents.some((e) => e.event === "message-deleted") && wsFrames.some((f) => f.type === "message:deleted"))) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const sseDelete = sseEvents.find((e) => e.event === "message-deleted");
    assert.ok(sseDelete, "SSE got the deletion");
    assert.equal(sseDelete.id, String(cursor + 1));
    assert.equal(JSON.parse(sseDelete.data).id, victim.id);
    assert.ok(wsFrames.some((f) => f.type === "message:deleted" && (f as unknown as { id: string }).id === victim.id), "ws got the deletion");
    ws.close();
    await sse.stop();
  });

  it("replays edits and deletions to a resuming client, without the deleted text", async () => {
    const cursor = await head();
    const kept = await say(alice, "kept");
    const edited = await say(alice, "typo");
    const gone = await say(alice, "regrettable");
    assert.ok((await alice.emitWithAck("message:edit", { room: "general", id: edited.id, body: "fixed" })).ok);
    assert.ok((await alice.emitWithAck("message:delete", { room: "general", id: gone.id })).ok);

    const resumed = await bob.emitWithAck("room:join", { room: "general", after: cursor });
    assert.ok(resumed.ok);
    assert.deepEqual(
      resumed.events.map((e) => [e.type, e.seq]),
      [
        ["message", cursor + 1],
        ["message", cursor + 2],
        // cursor + 3 was "regrettable": deleted since, so only its deletion is replayed.
        ["message:updated", cursor + 4],
        ["message:deleted", cursor + 5],
      ],
    );
    assert.ok(!JSON.stringify(resumed).includes("regrettable"));
    const update = resumed.events[2]!;
    assert.ok(update.type === "message:updated" && update.message.body === "fixed");
    assert.deepEqual(resumed.messages.map((m) => m.id), [kept.id, edited.id]);
    assert.equal(resumed.messages[1]!.body, "fixed", "the replayed message shows its current text");
  });

  it("offers the same over HTTP: PATCH and DELETE", async () => {
    const m = await say(alice, "via http");
    const headers = { cookie: aliceCookie, "content-type": "application/json" };
    const patched = await fetch(`${h.url}/api/rooms/general/messages/${m.id}`, { method: "PATCH", headers, body: JSON.stringify({ body: "via http, edited" }) });
    assert.equal(patched.status, 200);
    assert.equal(((await patched.json()) as { message: Message }).message.body, "via http, edited");
    const bobCookie = await joinAsGuest(h.url, "Mallory");
    const denied = await fetch(`${h.url}/api/rooms/general/messages/${m.id}`, { method: "DELETE", headers: { cookie: bobCookie } });
    assert.equal(denied.status, 403);
    const deleted = await fetch(`${h.url}/api/rooms/general/messages/${m.id}`, { method: "DELETE", headers: { cookie: adminCookie } });
    assert.equal(deleted.status, 200);
    const missing = await fetch(`${h.url}/api/rooms/general/messages/${m.id}`, { method: "DELETE", headers: { cookie: adminCookie } });
    assert.equal(missing.status, 404);
  });
});
