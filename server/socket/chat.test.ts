import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Message } from "../contract";
import { connectClient, connected, joinAsGuest, nextEvent, register, startServer, type Client, type Harness } from "../test/harness";

describe("socket chat", () => {
  let h: Harness;
  let alice: Client;
  let bob: Client;

  before(async () => {
    h = await startServer();
    alice = connectClient(h.url, await register(h.url, "alice"));
    bob = connectClient(h.url, await joinAsGuest(h.url, "Bob"));
    await Promise.all([connected(alice), connected(bob)]);
    for (const c of [alice, bob]) {
      const ack = await c.emitWithAck("room:join", { room: "general" });
      assert.equal(ack.ok, true);
    }
  });

  after(async () => {
    alice?.close();
    bob?.close();
    await h?.stop();
  });

  it("acks the sender and delivers message:new to the other client", async () => {
    const clientId = randomUUID();
    const seen = nextEvent(bob, "message:new", (m) => m.clientId === clientId);
    const ack = await alice.emitWithAck("message:send", { room: "general", clientId, body: "  hello bob  " });
    assert.ok(ack.ok, JSON.stringify(ack));
    assert.equal(ack.message.body, "hello bob");
    assert.equal(ack.message.author.name, "alice");
    const got = await seen;
    assert.deepEqual(got, ack.message);
  });

  it("delivers in order with rising seqs", async () => {
    const received: Message[] = [];
    const listener = (m: Message) => received.push(m);
    bob.on("message:new", listener);
    for (let i = 0; i < 10; i++) {
      const ack = await alice.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: `n${i}` });
      assert.ok(ack.ok);
    }
    await new Promise((r) => setTimeout(r, 200));
    bob.off("message:new", listener);
    assert.deepEqual(received.map((m) => m.body), Array.from({ length: 10 }, (_, i) => `n${i}`));
    for (let i = 1; i < received.length; i++) assert.equal(received[i]!.seq, received[i - 1]!.seq + 1);
  });

  it("is idempotent per clientId", async () => {
    const clientId = randomUUID();
    const first = await alice.emitWithAck("message:send", { room: "general", clientId, body: "once" });
    const second = await alice.emitWithAck("message:send", { room: "general", clientId, body: "once" });
    assert.ok(first.ok && second.ok);
    assert.equal(second.message.id, first.message.id);
    assert.equal(second.message.seq, first.message.seq);
    const count = await h.app.prisma.message.count({ where: { clientId } });
    assert.equal(count, 1);
  });

  it("refuses a 4001-character body with too_large and an empty one with invalid", async () => {
    const long = await alice.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "x".repeat(4001) });
    assert.equal(long.ok, false);
    assert.equal(!long.ok && long.error.code, "too_large");
    const exact = await alice.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "y".repeat(4000) });
    assert.equal(exact.ok, true);
    const empty = await alice.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "   " });
    assert.equal(!empty.ok && empty.error.code, "invalid");
  });

  it("answers malformed payloads with invalid and keeps serving", async () => {
    const bad = await alice.emitWithAck("message:send", { room: "general", clientId: "not-a-uuid", body: "x" });
    assert.equal(!bad.ok && bad.error.code, "invalid");
    const worse = await alice.emitWithAck("room:join", null as never);
    assert.equal(!worse.ok && worse.error.code, "invalid");
    const missing = await alice.emitWithAck("room:join", { room: "no-such-room" });
    assert.equal(!missing.ok && missing.error.code, "not_found");
    // No ack function at all must not crash the server either.
    alice.emit("message:send", 42 as never, undefined as never);
    const ok = await alice.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "still here" });
    assert.equal(ok.ok, true);
  });

  it("keeps seqs gapless under 200 concurrent sends from 4 clients", async () => {
    const extra = await Promise.all(
      ["c1", "c2"].map(async (name) => {
        const c = connectClient(h.url, await joinAsGuest(h.url, name));
        await connected(c);
        await c.emitWithAck("room:join", { room: "general" });
        return c;
      }),
    );
    const clients = [alice, bob, ...extra];
    const startSeq = (await h.app.prisma.room.findUniqueOrThrow({ where: { slug: "general" } })).lastSeq;
    const acks = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        clients[i % 4]!.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: `burst ${i}` }),
      ),
    );
    for (const c of extra) c.close();
    assert.ok(acks.every((a) => a.ok), JSON.stringify(acks.find((a) => !a.ok)));
    const seqs = acks.map((a) => (a.ok ? a.message.seq : -1)).sort((a, b) => a - b);
    assert.deepEqual(seqs, Array.from({ length: 200 }, (_, i) => startSeq + 1 + i));
  });

  it("relays typing to others and presence on join and leave", async () => {
    const typing = nextEvent(bob, "typing", (t) => t.user.name === "alice" && t.typing);
    alice.emit("typing", { room: "general", typing: true });
    assert.equal((await typing).room, "general");

    const carol = connectClient(h.url, await joinAsGuest(h.url, "Carol"));
    await connected(carol);
    const joined = nextEvent(alice, "presence", (p) => p.joined.some((u) => u.name === "Carol"));
    const ack = await carol.emitWithAck("room:join", { room: "general" });
    assert.ok(ack.ok);
    assert.deepEqual(
      ack.online.map((u) => u.name).sort(),
      ["Bob", "Carol", "alice"].sort(),
    );
    assert.equal(ack.onlineCount, 3);
    const came = await joined;
    assert.equal(came.count, 3, "a delta carries the room's new total");
    const carolId = came.joined.find((u) => u.name === "Carol")!.id;
    const left = nextEvent(alice, "presence", (p) => p.left.includes(carolId));
    carol.close();
    assert.equal((await left).count, 2);
  });

  it("refuses an unauthenticated handshake and a foreign Origin", async () => {
    const anon = connectClient(h.url, undefined);
    await assert.rejects(connected(anon), /unauthorized/);
    anon.close();
    const cookie = await joinAsGuest(h.url, "Mallory");
    for (const transport of ["websocket", "polling"] as const) {
      const foreign = connectClient(h.url, cookie, { transports: [transport], origin: "https://evil.example" });
      await assert.rejects(connected(foreign), `foreign Origin accepted over ${transport}`);
      foreign.close();
      // The same cookie from our own origin is fine.
      const own = connectClient(h.url, cookie, { transports: [transport], origin: h.url });
      await connected(own);
      own.close();
    }
  });

  it("pages history over HTTP without gaps", async () => {
    const cookie = await register(h.url, "pager");
    const headers = { cookie };
    const newest = await (await fetch(`${h.url}/api/rooms/general/messages?limit=20`, { headers })).json();
    assert.equal(newest.messages.length, 20);
    const firstSeq = newest.messages[0].seq;
    const older = await (await fetch(`${h.url}/api/rooms/general/messages?before=${firstSeq}&limit=20`, { headers })).json();
    assert.equal(older.messages.length, 20);
    assert.equal(older.messages[older.messages.length - 1].seq, firstSeq - 1);
    const seqs: number[] = [...older.messages, ...newest.messages].map((m: Message) => m.seq);
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1]! + 1);
    const bad = await fetch(`${h.url}/api/rooms/general/messages?limit=abc`, { headers });
    assert.equal(bad.status, 400);
    const anon = await fetch(`${h.url}/api/rooms/general/messages`);
    assert.equal(anon.status, 401);
  });
});
