/**
 * The browser's room state as a pure reducer: the cursor is the highest
 * contiguous seq, gaps are held (and reported for a fill), duplicates are
 * dropped, pages are authoritative, and the outbox moves through explicit
 * states.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JoinResult, LogEntry, Message } from "@/server/contract";
import { dueForSending, hasGap, initialRoomState, roomReducer, type RoomAction, type RoomState } from "./roomState";

const msg = (seq: number, extra: Partial<Message> = {}): Message => ({
  id: `m${seq}`,
  room: "general",
  seq,
  clientId: `c${seq}`,
  body: `hello ${seq}`,
  author: { id: "u1", name: "Ann", guest: false },
  createdAt: new Date(seq * 1000).toISOString(),
  editedAt: null,
  mentions: [],
  reactions: [],
  ...extra,
});
const entry = (seq: number): LogEntry => ({ type: "message", seq, message: msg(seq) });

function joined(over: Partial<JoinResult> = {}): JoinResult {
  const messages = over.messages ?? [msg(1), msg(2), msg(3)];
  const head = over.head ?? messages.at(-1)?.seq ?? 0;
  return {
    messages,
    events: [],
    head,
    epoch: "e1",
    more: false,
    next: head,
    serverTime: new Date(0).toISOString(),
    lastReadSeq: 0,
    posting: { allowed: true },
    room: { slug: "general", name: "general", topic: null, visibility: "public", kind: "room", readOnly: false, online: 1, lastMessage: null },
    online: [],
    onlineCount: 0,
    broadcasts: [],
    ...over,
  };
}

const run = (actions: RoomAction[], from: RoomState = initialRoomState) => actions.reduce(roomReducer, from);
const seqs = (s: RoomState) => s.messages.map((m) => m.seq);

describe("room state: the cursor", () => {
  it("starts at the page's next and applies contiguous live events", () => {
    const s = run([{ type: "joined", result: joined(), resumed: false }, { type: "live", entry: entry(4) }, { type: "live", entry: entry(5) }]);
    assert.equal(s.cursor, 5);
    assert.deepEqual(seqs(s), [1, 2, 3, 4, 5]);
    assert.equal(s.load.state, "ready");
  });

  it("holds an event past a gap, reports the gap, and applies it once the gap is filled", () => {
    let s = run([{ type: "joined", result: joined(), resumed: false }, { type: "live", entry: entry(5) }]);
    assert.equal(s.cursor, 3, "the cursor is the highest contiguous seq, not the highest seen");
    assert.deepEqual(seqs(s), [1, 2, 3]);
    assert.ok(hasGap(s));
    // The fill: a join from the cursor answers 4 and 5.
    s = roomReducer(s, { type: "joined", result: joined({ messages: [msg(4), msg(5)], events: [entry(4), entry(5)], head: 5, next: 5 }), resumed: true });
    assert.equal(s.cursor, 5);
    assert.deepEqual(seqs(s), [1, 2, 3, 4, 5]);
    assert.ok(!hasGap(s));
  });

  it("releases held events as soon as the missing one arrives live", () => {
    const s = run([
      { type: "joined", result: joined(), resumed: false },
      { type: "live", entry: entry(6) },
      { type: "live", entry: entry(5) },
      { type: "live", entry: entry(4) },
    ]);
    assert.equal(s.cursor, 6);
    assert.deepEqual(seqs(s), [1, 2, 3, 4, 5, 6]);
    assert.ok(!hasGap(s));
  });

  it("drops duplicates, whether live or replayed", () => {
    const s = run([
      { type: "joined", result: joined(), resumed: false },
      { type: "live", entry: entry(3) },
      { type: "live", entry: entry(4) },
      { type: "live", entry: entry(4) },
      { type: "joined", result: joined({ messages: [msg(4)], events: [entry(4)], head: 4, next: 4 }), resumed: true },
    ]);
    assert.deepEqual(seqs(s), [1, 2, 3, 4]);
    assert.equal(s.cursor, 4);
  });

  it("trusts a page's next over the seqs it shows (rows of deleted messages are read, not shown)", () => {
    const deletion: LogEntry = { type: "message:deleted", seq: 7, room: "general", id: "m5" };
    const s = run([
      { type: "joined", result: joined(), resumed: false },
      { type: "joined", result: joined({ messages: [msg(4), msg(6)], events: [entry(4), entry(6), deletion], head: 7, next: 7 }), resumed: true },
      { type: "live", entry: entry(8) },
    ]);
    assert.equal(s.cursor, 8);
    assert.deepEqual(seqs(s), [1, 2, 3, 4, 6, 8]);
  });

  it("starts over on a reset: the old view is dropped", () => {
    const s = run([
      { type: "joined", result: joined(), resumed: false },
      { type: "live", entry: entry(9) },
      { type: "joined", result: joined({ messages: [msg(1, { id: "x1", body: "new log" })], head: 1, epoch: "e2", reset: true }), resumed: true },
    ]);
    assert.equal(s.epoch, "e2");
    assert.equal(s.cursor, 1);
    assert.deepEqual(s.messages.map((m) => m.body), ["new log"]);
    assert.ok(!hasGap(s));
  });

  it("applies edits, deletions, broadcasts and retractions in log order", () => {
    const b = { id: "b1", text: "Maintenance", level: "info" as const, room: null, createdAt: "", expiresAt: null };
    const s = run([
      { type: "joined", result: joined(), resumed: false },
      { type: "live", entry: { type: "message:updated", seq: 4, message: msg(2, { body: "edited" }) } },
      { type: "live", entry: { type: "message:deleted", seq: 5, room: "general", id: "m1" } },
      { type: "live", entry: { type: "broadcast", seq: 6, broadcast: b } },
      { type: "live", entry: { type: "broadcast", seq: 6, broadcast: b } },
    ]);
    assert.deepEqual(s.messages.map((m) => m.body), ["edited", "hello 3"]);
    assert.deepEqual(s.broadcasts.map((x) => x.id), ["b1"]);
    const retracted = roomReducer(s, { type: "live", entry: { type: "broadcast:retracted", seq: 7, id: "b1" } });
    assert.deepEqual(retracted.broadcasts, []);
  });

  it("ignores live events before the first join (the join's page covers them)", () => {
    const s = run([{ type: "live", entry: entry(1) }]);
    assert.deepEqual(s, initialRoomState);
  });
});

describe("room state: presence", () => {
  it("applies deltas to the join's full list, idempotently", () => {
    const ann = { id: "a", name: "Ann", guest: false };
    const ben = { id: "b", name: "Ben", guest: false };
    const cat = { id: "c", name: "Cat", guest: true };
    let s = run([{ type: "joined", result: joined({ online: [ben, ann], onlineCount: 2 }), resumed: false }]);
    assert.equal(s.onlineCount, 2);
    s = roomReducer(s, { type: "presence", joined: [cat, ann], left: ["b"], count: 2 });
    assert.deepEqual(s.online, [ann, cat]);
    s = roomReducer(s, { type: "presence", joined: [], left: ["b", "zz"], count: 2 });
    assert.deepEqual(s.online, [ann, cat]);
    assert.equal(s.onlineCount, 2);
  });

  it("in a crowd, keeps the server's count beside the names it was given", () => {
    const ann = { id: "a", name: "Ann", guest: false };
    const zed = { id: "z", name: "Zed", guest: false };
    let s = run([{ type: "joined", result: joined({ online: [ann], onlineCount: 250 }), resumed: false }]);
    assert.equal(s.onlineCount, 250);
    // Someone not listed leaves; someone new comes: the list and the total move independently.
    s = roomReducer(s, { type: "presence", joined: [zed], left: ["unlisted"], count: 250 });
    assert.deepEqual(s.online, [ann, zed]);
    assert.equal(s.onlineCount, 250);
  });
});

describe("room state: the outbox", () => {
  const item = { clientId: "c9", body: "hi", createdAt: new Date(0).toISOString(), status: "queued" as const };

  it("moves queued -> sending -> settled when the message is stored", () => {
    let s = run([{ type: "joined", result: joined(), resumed: false }, { type: "queue", items: [item, item] }]);
    assert.equal(s.outbox.length, 1, "queued once per clientId");
    assert.deepEqual(dueForSending(s, Date.now()).map((o) => o.clientId), ["c9"]);
    s = roomReducer(s, { type: "sending", clientId: "c9" });
    assert.equal(s.outbox[0]!.status, "sending");
    assert.deepEqual(dueForSending(s, Date.now()), []);
    s = roomReducer(s, { type: "sent", message: msg(4, { clientId: "c9" }) });
    assert.deepEqual(s.outbox, []);
    assert.deepEqual(seqs(s), [1, 2, 3, 4], "shown at once");
    assert.equal(s.cursor, 3, "the cursor moves only when the event arrives in order");
  });

  it("waits out a rate limit before it is due again; a final refusal is failed until retried", () => {
    const now = 1_000_000;
    let s = run([{ type: "queue", items: [item] }, { type: "sending", clientId: "c9" }]);
    s = roomReducer(s, { type: "send-failed", clientId: "c9", error: { code: "rate_limited", message: "slow down" }, final: false, retryAt: now + 2000 });
    assert.equal(s.outbox[0]!.status, "queued");
    assert.deepEqual(dueForSending(s, now), []);
    assert.deepEqual(dueForSending(s, now + 2000).map((o) => o.clientId), ["c9"]);
    s = roomReducer(s, { type: "send-failed", clientId: "c9", error: { code: "forbidden", message: "muted" }, final: true });
    assert.equal(s.outbox[0]!.status, "failed");
    assert.deepEqual(dueForSending(s, now + 5000), []);
    s = roomReducer(s, { type: "retry", clientId: "c9" });
    assert.equal(s.outbox[0]!.status, "queued");
    s = roomReducer(s, { type: "discard", clientId: "c9" });
    assert.deepEqual(s.outbox, []);
  });

  it("settles an entry when its message arrives from elsewhere (another tab, a replay)", () => {
    const s = run([
      { type: "joined", result: joined(), resumed: false },
      { type: "queue", items: [item] },
      { type: "live", entry: { type: "message", seq: 4, message: msg(4, { clientId: "c9" }) } },
    ]);
    assert.deepEqual(s.outbox, []);
  });
});

describe("room state: reactions and replies", () => {
  const r = (emoji: string, users: string[]) => ({ emoji, count: users.length, users });
  const react = (seq: number, id: string, reactions: ReturnType<typeof r>[]): LogEntry => ({ type: "message:reactions", seq, room: "general", id, reactions });

  it("applies reaction events in seq order, each exactly once, holding one that comes early", () => {
    let s = run([{ type: "joined", result: joined(), resumed: false }, { type: "live", entry: react(5, "m1", [r("👍", ["a", "b"])]) }]);
    assert.deepEqual(s.messages[0]!.reactions, [], "held behind the gap at 4");
    s = roomReducer(s, { type: "live", entry: react(4, "m1", [r("👍", ["a"])]) });
    assert.deepEqual(s.messages[0]!.reactions, [r("👍", ["a", "b"])], "4 then 5: the later state wins");
    assert.equal(s.cursor, 5);
    // A replay of 4 (a duplicate) changes nothing.
    s = roomReducer(s, { type: "live", entry: react(4, "m1", [r("👍", ["a"])]) });
    assert.deepEqual(s.messages[0]!.reactions, [r("👍", ["a", "b"])]);
    s = roomReducer(s, { type: "joined", result: joined({ messages: [], events: [react(4, "m1", [r("👍", ["a"])]), react(5, "m1", [])], head: 5, next: 5 }), resumed: true });
    assert.deepEqual(s.messages[0]!.reactions, [r("👍", ["a", "b"])], "a resumed page's old events are not applied twice");
  });

  it("a resumed page replays reactions like edits; our own ack shows them at once", () => {
    let s = run([
      { type: "joined", result: joined(), resumed: false },
      { type: "joined", result: joined({ messages: [], events: [react(4, "m2", [r("🎉", ["x"])])], head: 4, next: 4 }), resumed: true },
    ]);
    assert.deepEqual(s.messages[1]!.reactions, [r("🎉", ["x"])]);
    s = roomReducer(s, { type: "reacted", id: "m3", reactions: [r("🔥", ["me"])] });
    assert.deepEqual(s.messages[2]!.reactions, [r("🔥", ["me"])]);
    assert.equal(s.cursor, 4, "the ack does not move the cursor");
    // A reaction to a message not shown (older than the page) is a no-op.
    s = roomReducer(s, { type: "live", entry: react(5, "old", [r("👍", ["a"])]) });
    assert.equal(s.cursor, 5);
  });

  it("a reply's quote follows its original: an edit changes the excerpt, a deletion leaves a placeholder", () => {
    const quote = { id: "m1", seq: 1, author: { id: "u1", name: "Ann" }, excerpt: "hello 1" };
    const reply = msg(4, { replyTo: quote });
    let s = run([{ type: "joined", result: joined(), resumed: false }, { type: "live", entry: { type: "message", seq: 4, message: reply } }]);
    s = roomReducer(s, { type: "live", entry: { type: "message:updated", seq: 5, message: msg(1, { body: "new\nwords" }) } });
    assert.equal(s.messages.find((m) => m.id === "m4")!.replyTo!.excerpt, "new words");
    s = roomReducer(s, { type: "live", entry: { type: "message:deleted", seq: 6, room: "general", id: "m1" } });
    assert.deepEqual(s.messages.find((m) => m.id === "m4")!.replyTo, { ...quote, excerpt: "", deleted: true });
  });

  it("merges a page around an older seq without losing what is shown", () => {
    const s = run([
      { type: "joined", result: joined({ messages: [msg(60), msg(61)], head: 61 }), resumed: false },
      { type: "around", messages: [msg(9), msg(10), msg(11)] },
    ]);
    assert.deepEqual(seqs(s), [9, 10, 11, 60, 61]);
    assert.equal(s.cursor, 61);
  });
});
