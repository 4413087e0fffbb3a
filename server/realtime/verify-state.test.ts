/**
 * Zulip's verify_action, for the browser's room reducer: a client that was
 * there all along and applied the live events must end up showing exactly
 * what a client that joins fresh shows. Messages, edits, deletions,
 * broadcasts and retractions, from several writers at once.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { initialRoomState, roomReducer, type RoomAction, type RoomState } from "../../components/chat/roomState";
import { connectClient, connected, joinAsGuest, register, startServer, type Client, type Harness } from "../test/harness";

let h: Harness;
let adminCookie: string;
let admin: Client;
let alice: Client;
let bob: Client;

before(async () => {
  h = await startServer();
  adminCookie = await register(h.url, "boss"); // the first account is admin
  admin = connectClient(h.url, adminCookie);
  alice = connectClient(h.url, await register(h.url, "alice"));
  bob = connectClient(h.url, await joinAsGuest(h.url, "Bob"), { transports: ["polling"] });
  await Promise.all([connected(admin), connected(alice), connected(bob)]);
});
after(async () => {
  for (const c of [admin, alice, bob]) c?.close();
  await h?.stop();
});

/** A client whose room state is the reducer fed by its socket, as in the browser. */
async function follower(client: Client) {
  let state: RoomState = initialRoomState;
  const apply = (action: RoomAction) => (state = roomReducer(state, action));
  client.on("message:new", (m) => apply({ type: "live", entry: { type: "message", seq: m.seq, message: m } }));
  client.on("message:updated", (p) => apply({ type: "live", entry: { type: "message:updated", seq: p.seq, message: p.message } }));
  client.on("message:deleted", (p) => apply({ type: "live", entry: { type: "message:deleted", seq: p.seq, room: p.room, id: p.id } }));
  client.on("message:reactions", (p) => apply({ type: "live", entry: { type: "message:reactions", seq: p.seq, room: p.room, id: p.id, reactions: p.reactions } }));
  client.on("broadcast", (b) => apply({ type: "live", entry: { type: "broadcast", seq: b.seq, broadcast: b.broadcast } }));
  client.on("broadcast:retracted", (b) => apply({ type: "live", entry: { type: "broadcast:retracted", seq: b.seq, id: b.id } }));
  const ack = await client.emitWithAck("room:join", { room: "general" });
  assert.ok(ack.ok);
  apply({ type: "joined", result: ack, resumed: false });
  return { state: () => state };
}

const say = async (c: Client, body: string, replyTo?: string) => {
  const ack = await c.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body, ...(replyTo ? { replyTo } : {}) });
  assert.ok(ack.ok, JSON.stringify(ack));
  return ack.message;
};

/** Waits until the follower's cursor reaches the log's head, then answers the state a fresh join (a new guest, `name`) builds. */
async function caughtUpAndFresh(watcher: Awaited<ReturnType<typeof follower>>, name: string): Promise<RoomState> {
  const head = (await h.app.prisma.room.findUniqueOrThrow({ where: { slug: "general" } })).lastSeq;
  const deadline = Date.now() + 5000;
  while (watcher.state().cursor < head && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(watcher.state().cursor, head, "the follower reached the head");

  const fresh = connectClient(h.url, await joinAsGuest(h.url, name));
  await connected(fresh);
  const ack = await fresh.emitWithAck("room:join", { room: "general" });
  assert.ok(ack.ok);
  fresh.close();
  return roomReducer(initialRoomState, { type: "joined", result: ack, resumed: false });
}

describe("live events applied to a stale state equal a fresh join", () => {
  it("messages, edits, deletions, broadcasts and retractions from three writers", async () => {
    const watcher = await follower(alice);
    for (const c of [admin, bob]) assert.ok((await c.emitWithAck("room:join", { room: "general" })).ok);

    const sent = await Promise.all(Array.from({ length: 30 }, (_, i) => say([admin, alice, bob][i % 3]!, `message ${i}`)));
    const mine = sent.filter((m) => m.author.name === "alice");
    const bobs = sent.filter((m) => m.author.name === "Bob");
    await Promise.all([
      alice.emitWithAck("message:edit", { room: "general", id: mine[0]!.id, body: "edited by alice" }),
      alice.emitWithAck("message:delete", { room: "general", id: mine[1]!.id }),
      admin.emitWithAck("message:delete", { room: "general", id: bobs[0]!.id }),
      say(bob, "one more"),
    ]);
    const kept = await admin.emitWithAck("admin:broadcast", { text: "stays", level: "info" });
    const gone = await admin.emitWithAck("admin:broadcast", { text: "goes", level: "warning" });
    assert.ok(kept.ok && gone.ok);
    const retract = await fetch(`${h.url}/api/admin/broadcasts/${gone.broadcast.id}`, { method: "DELETE", headers: { cookie: adminCookie, origin: h.url } });
    assert.equal(retract.status, 200);

    const newcomer = await caughtUpAndFresh(watcher, "Newcomer");

    const stale = watcher.state();
    assert.equal(stale.cursor, newcomer.cursor);
    assert.deepEqual(stale.messages.slice(-newcomer.messages.length), newcomer.messages);
    assert.deepEqual(stale.broadcasts.map((b) => b.id), newcomer.broadcasts.map((b) => b.id));
    assert.deepEqual(stale.held, []);
  });

  it("reactions, replies, and edits and deletions of originals that have replies", async () => {
    const watcher = await follower(bob);
    const originals = await Promise.all([say(alice, "first original"), say(admin, "second original"), say(bob, "third original")]);
    await Promise.all([
      ...originals.map((o, i) => say([bob, alice, admin][i]!, `re ${i}`, o.id)),
      ...[admin, alice, bob].flatMap((c) => originals.map((o) => c.emitWithAck("reaction:toggle", { room: "general", id: o.id, emoji: "👍" }))),
      alice.emitWithAck("reaction:toggle", { room: "general", id: originals[1]!.id, emoji: "🎉" }),
    ]);
    await Promise.all([
      alice.emitWithAck("message:edit", { room: "general", id: originals[0]!.id, body: "first original,\n  now edited" }),
      admin.emitWithAck("message:delete", { room: "general", id: originals[1]!.id }),
      bob.emitWithAck("reaction:toggle", { room: "general", id: originals[2]!.id, emoji: "👍" }),
      admin.emitWithAck("reaction:toggle", { room: "general", id: originals[0]!.id, emoji: "🔥" }),
    ]);

    const newcomer = await caughtUpAndFresh(watcher, "Latecomer");

    const stale = watcher.state();
    assert.deepEqual(stale.messages.slice(-newcomer.messages.length), newcomer.messages);
    const third = newcomer.messages.find((m) => m.id === originals[2]!.id)!;
    assert.deepEqual(third.reactions.map((r) => [r.emoji, r.count]), [["👍", 2]]);
    assert.equal(newcomer.messages.find((m) => m.body === "re 0")!.replyTo!.excerpt, "first original, now edited");
    assert.equal(newcomer.messages.find((m) => m.body === "re 1")!.replyTo!.deleted, true);
  });
});
