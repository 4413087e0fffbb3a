/**
 * Mentions, replies and reactions, end to end against the real server: the
 * sender's ack and what the other client sees, over Socket.IO, /ws and HTTP;
 * refusals with their codes; and a reaction and a reply that happen while a
 * client is away reach it exactly once when it resumes, on every transport.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import type { LogEntry, LogPage, Message, MessageReactions, WsServerFrame } from "../contract";
import { collectSse, connectClient, connected, joinAsGuest, nextEvent, register, startServer, type Client, type Harness } from "../test/harness";

let h: Harness;
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};
let alice: Client;
let bob: Client;

const send = async (c: Client, body: string, extra: { room?: string; replyTo?: string } = {}) => {
  const ack = await c.emitWithAck("message:send", { room: extra.room ?? "general", clientId: randomUUID(), body, ...(extra.replyTo ? { replyTo: extra.replyTo } : {}) });
  assert.ok(ack.ok, JSON.stringify(ack));
  return ack.message;
};
const http = (who: string, method: string, path: string, body?: unknown) =>
  fetch(`${h.url}${path}`, {
    method,
    headers: { cookie: cookies[who]!, origin: h.url, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
const head = async () => (await h.app.prisma.room.findUniqueOrThrow({ where: { slug: "general" } })).lastSeq;

/** A minimal /ws client: frames kept, replies by id. */
async function openWs(cookie: string) {
  const ws = new WebSocket(`${h.url.replace(/^http/, "ws")}/ws`, { headers: { cookie, origin: h.url } });
  const frames: WsServerFrame[] = [];
  const waiters = new Set<() => void>();
  ws.on("message", (d) => {
    frames.push(JSON.parse(d.toString()) as WsServerFrame);
    for (const w of [...waiters]) w();
  });
  await new Promise<void>((resolve, reject) => (ws.once("open", () => resolve()), ws.once("error", reject)));
  let n = 0;
  const waitFor = (pred: (f: WsServerFrame) => boolean, ms = 3000) =>
    new Promise<WsServerFrame>((resolve, reject) => {
      const check = () => {
        const f = frames.find(pred);
        if (f) (clearTimeout(timer), waiters.delete(check), resolve(f));
      };
      const timer = setTimeout(() => (waiters.delete(check), reject(new Error("timed out waiting for a frame"))), ms);
      waiters.add(check);
      check();
    });
  return {
    frames,
    waitFor,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async request(frame: Record<string, unknown>): Promise<any> {
      const id = `r${++n}`;
      ws.send(JSON.stringify({ ...frame, id }));
      return waitFor((f) => f.type === "reply" && f.id === id);
    },
    close: () => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : (ws.once("close", () => resolve()), ws.close()))),
  };
}

before(async () => {
  h = await startServer();
  cookies.admin = await register(h.url, "boss"); // the first account is the admin
  cookies.alice = await register(h.url, "alice");
  cookies.bob = await register(h.url, "bob");
  cookies.carol = await joinAsGuest(h.url, "Carol Ann");
  for (const who of ["admin", "alice", "bob", "carol"]) {
    const me = (await (await fetch(`${h.url}/api/me`, { headers: { cookie: cookies[who]! } })).json()) as { user: { id: string } };
    ids[who] = me.user.id;
  }
  alice = connectClient(h.url, cookies.alice);
  bob = connectClient(h.url, cookies.bob);
  await Promise.all([connected(alice), connected(bob)]);
  for (const c of [alice, bob]) assert.ok((await c.emitWithAck("room:join", { room: "general" })).ok);
  assert.equal((await http("alice", "POST", "/api/rooms", { name: "Elsewhere" })).status, 201);
});

after(async () => {
  alice?.close();
  bob?.close();
  await h?.stop();
});

describe("mentions", () => {
  it("are parsed by the server from the body, ignoring a list the client sends", async () => {
    const seen = nextEvent(bob, "message:new", (m) => m.body.startsWith("ping @bob"));
    const ack = await alice.emitWithAck("message:send", {
      room: "general",
      clientId: randomUUID(),
      body: "ping @bob and @Carol_Ann, not @nobody or @alice",
      mentions: [ids.admin],
    } as never);
    assert.ok(ack.ok, JSON.stringify(ack));
    assert.deepEqual([...ack.message.mentions].sort(), [ids.bob, ids.carol].sort());
    assert.deepEqual((await seen).mentions, ack.message.mentions);
  });

  it("@here names everyone online in the room but the author", async () => {
    const m = await send(alice, "lunch? @here");
    assert.deepEqual(m.mentions, [ids.bob]);
  });

  it("in a private room, only members count", async () => {
    const res = await http("alice", "POST", "/api/rooms", { name: "Hush", visibility: "private" });
    assert.equal(res.status, 201);
    assert.ok((await alice.emitWithAck("room:join", { room: "hush" })).ok);
    assert.deepEqual((await send(alice, "@bob can you see this?", { room: "hush" })).mentions, []);
    assert.equal((await http("alice", "POST", "/api/rooms/hush/members", { username: "bob" })).status, 201);
    assert.deepEqual((await send(alice, "@bob now you can", { room: "hush" })).mentions, [ids.bob]);
  });
});

describe("people to mention", () => {
  it("lists a private room's members, a public room's recent authors, and nothing to outsiders", async () => {
    const names = async (who: string, slug: string) => {
      const res = await http(who, "GET", `/api/rooms/${slug}/people`);
      return res.status === 200 ? ((await res.json()) as { people: { name: string }[] }).people.map((p) => p.name).sort() : res.status;
    };
    assert.deepEqual(await names("alice", "hush"), ["alice", "bob"]);
    assert.equal(await names("carol", "hush"), 404);
    await send(bob, "bob writes in general");
    assert.deepEqual(await names("carol", "general"), ["alice", "bob"], "who wrote here; Carol has not");
    assert.equal((await fetch(`${h.url}/api/rooms/general/people`)).status, 401);
  });
});

describe("replies", () => {
  it("carry the original's id, seq, author and excerpt, to the sender and the other client", async () => {
    const original = await send(bob, `a long thought ${"x".repeat(300)}`);
    const seen = nextEvent(bob, "message:new", (m) => m.replyTo?.id === original.id);
    const reply = await send(alice, "agreed", { replyTo: original.id });
    assert.deepEqual(reply.replyTo && { ...reply.replyTo, excerpt: reply.replyTo.excerpt.length }, {
      id: original.id,
      seq: original.seq,
      author: { id: ids.bob, name: "bob" },
      excerpt: 140,
    });
    assert.deepEqual((await seen).replyTo, reply.replyTo);
  });

  it("work over HTTP and /ws", async () => {
    const original = await send(bob, "original for transports");
    const res = await http("alice", "POST", "/api/rooms/general/messages", { clientId: randomUUID(), body: "over http", replyTo: original.id });
    assert.equal(res.status, 201);
    assert.equal(((await res.json()) as { message: Message }).message.replyTo?.id, original.id);
    const ws = await openWs(cookies.alice!);
    try {
      const reply = await ws.request({ type: "message:send", room: "general", clientId: randomUUID(), body: "over ws", replyTo: original.id });
      assert.equal(reply.ok, true, JSON.stringify(reply));
      assert.equal(reply.message.replyTo.excerpt, "original for transports");
      const bad = await ws.request({ type: "message:send", room: "general", clientId: randomUUID(), body: "x", replyTo: "nope" });
      assert.equal(bad.ok, false);
      assert.equal(bad.error.code, "not_found");
    } finally {
      await ws.close();
    }
  });

  it("refuse an unknown id and another room's message with not_found, and store nothing", async () => {
    const other = await send(alice, "in another room", { room: "elsewhere" });
    const before = await head();
    for (const replyTo of [randomUUID(), other.id]) {
      const ack = await alice.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "lost", replyTo });
      assert.equal(ack.ok, false);
      assert.equal(!ack.ok && ack.error.code, "not_found");
      assert.match(!ack.ok ? ack.error.message : "", /reply/);
    }
    const res = await http("alice", "POST", "/api/rooms/general/messages", { clientId: randomUUID(), body: "lost", replyTo: other.id });
    assert.equal(res.status, 404);
    assert.equal(await head(), before);
  });

  it("quote the original as it is now: edited text, then a deleted placeholder", async () => {
    const original = await send(bob, "first words");
    const reply = await send(alice, "re", { replyTo: original.id });
    assert.ok((await bob.emitWithAck("message:edit", { room: "general", id: original.id, body: "better words" })).ok);
    const page = async () =>
      ((await (await http("alice", "GET", `/api/rooms/general/messages?around=${reply.seq}&limit=3`)).json()) as { messages: Message[] }).messages;
    assert.equal((await page()).find((m) => m.id === reply.id)?.replyTo?.excerpt, "better words");
    assert.ok((await bob.emitWithAck("message:delete", { room: "general", id: original.id })).ok);
    const gone = (await page()).find((m) => m.id === reply.id)?.replyTo;
    assert.deepEqual(gone, { id: original.id, seq: original.seq, author: { id: ids.bob, name: "bob" }, excerpt: "", deleted: true });
  });

  it("GET ?around=SEQ&limit=N is a page centred on SEQ, oldest first", async () => {
    const sent: Message[] = [];
    for (let i = 0; i < 9; i++) sent.push(await send(alice, `around ${i}`));
    const mid = sent[4]!;
    const res = await http("bob", "GET", `/api/rooms/general/messages?around=${mid.seq}&limit=5`);
    const { messages } = (await res.json()) as { messages: Message[] };
    assert.deepEqual(messages.map((m) => m.body), ["around 2", "around 3", "around 4", "around 5", "around 6"]);
    assert.equal((await http("bob", "GET", `/api/rooms/general/messages?around=abc`)).status, 400);
  });
});

describe("reactions", () => {
  it("toggle on and off, with the ack's reactions and a live message:reactions carrying a seq", async () => {
    const m = await send(bob, "react to me");
    const live = nextEvent(bob, "message:reactions", (p) => p.id === m.id);
    const on = await alice.emitWithAck("reaction:toggle", { room: "general", id: m.id, emoji: "👍" });
    assert.ok(on.ok, JSON.stringify(on));
    assert.deepEqual(on.reactions, [{ emoji: "👍", count: 1, users: [ids.alice] }]);
    const got = await live;
    assert.equal(got.room, "general");
    assert.equal(got.seq, await head());
    assert.deepEqual(got.reactions, on.reactions);

    const bobs = await bob.emitWithAck("reaction:toggle", { room: "general", id: m.id, emoji: "👍" });
    assert.ok(bobs.ok);
    assert.deepEqual(bobs.reactions, [{ emoji: "👍", count: 2, users: [ids.alice, ids.bob] }]);
    const off = await alice.emitWithAck("reaction:toggle", { room: "general", id: m.id, emoji: "👍" });
    assert.ok(off.ok);
    assert.deepEqual(off.reactions, [{ emoji: "👍", count: 1, users: [ids.bob] }]);
    // A history read shows them too.
    const page = (await (await http("alice", "GET", `/api/rooms/general/messages?around=${m.seq}&limit=1`)).json()) as { messages: Message[] };
    assert.deepEqual(page.messages[0]!.reactions, off.reactions);
  });

  it("work over /ws and HTTP", async () => {
    const m = await send(bob, "react over other paths");
    const ws = await openWs(cookies.alice!);
    try {
      assert.ok((await ws.request({ type: "room:join", room: "general" })).ok);
      const reply = await ws.request({ type: "reaction:toggle", room: "general", messageId: m.id, emoji: "🎉" });
      assert.equal(reply.ok, true, JSON.stringify(reply));
      assert.deepEqual(reply.reactions, [{ emoji: "🎉", count: 1, users: [ids.alice] }]);
      const res = await http("bob", "POST", `/api/rooms/general/messages/${m.id}/reactions`, { emoji: "🎉" });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { seq: number; reactions: unknown };
      assert.deepEqual(body.reactions, [{ emoji: "🎉", count: 2, users: [ids.alice, ids.bob] }]);
      // The /ws client sees bob's HTTP toggle live.
      const frame = (await ws.waitFor((f) => f.type === "message:reactions" && f.seq === body.seq)) as { reactions: unknown };
      assert.deepEqual(frame.reactions, body.reactions);
    } finally {
      await ws.close();
    }
  });

  it("refuse bad input with clear codes and log nothing", async () => {
    const m = await send(bob, "hard to react to");
    const other = await send(alice, "elsewhere", { room: "elsewhere" });
    const before = await head();
    const cases: [unknown, string, RegExp][] = [
      [{ room: "general", id: m.id, emoji: "ok" }, "invalid", /emoji/],
      [{ room: "general", id: m.id, emoji: "👍👍" }, "invalid", /emoji/],
      [{ room: "general", id: m.id, emoji: "" }, "invalid", /emoji/],
      [{ room: "general", id: m.id }, "invalid", /emoji/],
      [{ room: "general", id: randomUUID(), emoji: "👍" }, "not_found", /message/],
      [{ room: "general", id: other.id, emoji: "👍" }, "not_found", /message/],
      [{ room: "no-such-room", id: m.id, emoji: "👍" }, "not_found", /room/],
    ];
    for (const [input, code, message] of cases) {
      const ack = await alice.emitWithAck("reaction:toggle", input as never);
      assert.equal(ack.ok, false, JSON.stringify(input));
      assert.equal(!ack.ok && ack.error.code, code, JSON.stringify(input));
      assert.match(!ack.ok ? ack.error.message : "", message);
    }
    const res = await http("alice", "POST", `/api/rooms/general/messages/${m.id}/reactions`, { emoji: "👍👍" });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, "invalid");
    assert.equal((await http("alice", "POST", `/api/rooms/general/messages/${other.id}/reactions`, { emoji: "👍" })).status, 404);
    assert.equal(await head(), before);
    // A deleted message takes no reactions.
    assert.ok((await bob.emitWithAck("message:delete", { room: "general", id: m.id })).ok);
    const late = await alice.emitWithAck("reaction:toggle", { room: "general", id: m.id, emoji: "👍" });
    assert.equal(!late.ok && late.error.code, "not_found");
  });

  it("are refused to muted users, and to everyone but admins in a read-only room", async () => {
    const m = await send(alice, "moderated");
    assert.equal((await http("admin", "POST", "/api/admin/mutes", { user: ids.bob, room: "general", minutes: 5 })).status, 201);
    const muted = await bob.emitWithAck("reaction:toggle", { room: "general", id: m.id, emoji: "👍" });
    assert.equal(!muted.ok && muted.error.code, "forbidden");
    assert.match(!muted.ok ? muted.error.message : "", /muted/);
    assert.equal((await http("admin", "DELETE", "/api/admin/mutes", { user: ids.bob, room: "general" })).status, 200);
    assert.ok((await bob.emitWithAck("reaction:toggle", { room: "general", id: m.id, emoji: "👍" })).ok);

    const quiet = await send(alice, "soon locked", { room: "elsewhere" });
    assert.equal((await http("admin", "POST", "/api/admin/rooms/elsewhere/lock", { readOnly: true })).status, 200);
    const locked = await alice.emitWithAck("reaction:toggle", { room: "elsewhere", id: quiet.id, emoji: "👍" });
    assert.equal(!locked.ok && locked.error.code, "forbidden");
    assert.match(!locked.ok ? locked.error.message : "", /read-only/);
    const res = await http("admin", "POST", `/api/rooms/elsewhere/messages/${quiet.id}/reactions`, { emoji: "👍" });
    assert.equal(res.status, 200, "admins still may");
    assert.equal((await http("admin", "POST", "/api/admin/rooms/elsewhere/lock", { readOnly: false })).status, 200);
  });

  it("a banned user cannot react on any path", async () => {
    const cookie = await register(h.url, "troll");
    const m = await send(alice, "ban bait");
    assert.equal((await fetch(`${h.url}/api/admin/bans`, { method: "POST", headers: { cookie: cookies.admin!, origin: h.url, "content-type": "application/json" }, body: JSON.stringify({ user: "troll" }) })).status, 201);
    const res = await fetch(`${h.url}/api/rooms/general/messages/${m.id}/reactions`, {
      method: "POST",
      headers: { cookie, origin: h.url, "content-type": "application/json" },
      body: JSON.stringify({ emoji: "👍" }),
    });
    assert.equal(res.status, 401);
  });
});

describe("reactions and replies survive a resume on every transport", () => {
  /** While the reader is away: a reply, then a reaction to the original. Returns what to expect. */
  async function whileAway() {
    const original = await send(bob, `resume ${randomUUID()}`);
    const cursor = original.seq; // the reader saw the original
    const reply = await send(alice, "a reply while you were away", { replyTo: original.id });
    const on = await alice.emitWithAck("reaction:toggle", { room: "general", id: original.id, emoji: "🔥" });
    assert.ok(on.ok);
    return { original, reply, cursor, reactionSeq: await head() };
  }
  const reactionsIn = (events: LogEntry[], id: string) =>
    events.filter((e): e is Extract<LogEntry, { type: "message:reactions" }> => e.type === "message:reactions" && e.id === id);

  for (const transport of ["websocket", "polling"] as const) {
    it(`Socket.IO over ${transport}`, async () => {
      const { original, reply, cursor, reactionSeq } = await whileAway();
      const back = connectClient(h.url, cookies.carol, { transports: [transport] });
      await connected(back);
      const live: MessageReactions[] = [];
      back.on("message:reactions", (p) => live.push(p));
      const epoch = (await h.app.prisma.room.findUniqueOrThrow({ where: { slug: "general" } })).epoch;
      const page = await back.emitWithAck("room:join", { room: "general", after: cursor, epoch });
      assert.ok(page.ok);
      const got = reactionsIn(page.events, original.id);
      assert.equal(got.length, 1, "the reaction once");
      assert.equal(got[0]!.seq, reactionSeq);
      assert.deepEqual(got[0]!.reactions.map((r) => [r.emoji, r.count]), [["🔥", 1]]);
      assert.equal(page.messages.find((m) => m.id === reply.id)?.replyTo?.id, original.id);
      // Then live: a new toggle comes once, after the page.
      const next = nextEvent(back, "message:reactions", (p) => p.id === original.id);
      assert.ok((await bob.emitWithAck("reaction:toggle", { room: "general", id: original.id, emoji: "🔥" })).ok);
      assert.equal((await next).reactions[0]!.count, 2);
      assert.equal(live.length, 1, "nothing from the page came again live");
      back.close();
    });
  }

  it("/ws", async () => {
    const { original, reply, cursor, reactionSeq } = await whileAway();
    const ws = await openWs(cookies.carol!);
    try {
      const page = await ws.request({ type: "room:join", room: "general", after: cursor });
      assert.equal(page.ok, true);
      const got = reactionsIn(page.events, original.id);
      assert.deepEqual(got.map((e) => e.seq), [reactionSeq]);
      assert.equal((page.messages as Message[]).find((m) => m.id === reply.id)?.replyTo?.id, original.id);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(ws.frames.filter((f) => f.type === "message:reactions").length, 0, "not again live");
    } finally {
      await ws.close();
    }
  });

  it("HTTP long-poll", async () => {
    const { original, reply, cursor, reactionSeq } = await whileAway();
    const res = await http("carol", "GET", `/api/rooms/general/messages?after=${cursor}&wait=5`);
    const page = (await res.json()) as LogPage;
    assert.deepEqual(reactionsIn(page.events, original.id).map((e) => e.seq), [reactionSeq]);
    assert.equal(page.messages.find((m) => m.id === reply.id)?.replyTo?.id, original.id);
    // Waiting from the page's end: the next toggle wakes the poll, once.
    const pending = http("carol", "GET", `/api/rooms/general/messages?after=${page.next}&wait=10`);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok((await bob.emitWithAck("reaction:toggle", { room: "general", id: original.id, emoji: "✅" })).ok);
    const woke = (await (await pending).json()) as LogPage;
    assert.deepEqual(woke.events.map((e) => e.type), ["message:reactions"]);
  });

  it("SSE, resuming by Last-Event-ID", async () => {
    const { original, reply, cursor, reactionSeq } = await whileAway();
    const res = await fetch(`${h.url}/api/rooms/general/feed`, { headers: { "last-event-id": String(cursor) } });
    const feed = collectSse(res);
    try {
      const until = async (pred: () => boolean) => {
        for (let i = 0; i < 150 && !pred(); i++) await new Promise((r) => setTimeout(r, 20));
      };
      await until(() => feed.events.some((e) => e.event === "message-reactions"));
      const reactions = feed.events.filter((e) => e.event === "message-reactions");
      assert.equal(reactions.length, 1);
      assert.equal(reactions[0]!.id, String(reactionSeq));
      const data = JSON.parse(reactions[0]!.data) as { room: string; id: string; seq: number; reactions: unknown };
      // A feed is public: counts, not who.
      assert.deepEqual(data, { room: "general", id: original.id, seq: reactionSeq, reactions: [{ emoji: "🔥", count: 1 }] });
      const replied = feed.events.find((e) => e.event === "message" && JSON.parse(e.data).id === reply.id);
      assert.equal(JSON.parse(replied!.data).replyTo.id, original.id);
      assert.equal(JSON.parse(replied!.data).replyTo.author.id, undefined, "no user ids on a feed");
      // Live after the replay.
      assert.ok((await bob.emitWithAck("reaction:toggle", { room: "general", id: original.id, emoji: "🔥" })).ok);
      await until(() => feed.events.filter((e) => e.event === "message-reactions").length === 2);
      assert.equal(feed.events.filter((e) => e.event === "message-reactions").length, 2);
    } finally {
      await feed.stop();
    }
  });

  it("a message deleted since is replayed only as its deletion, without its reactions", async () => {
    const { original, cursor } = await whileAway();
    assert.ok((await bob.emitWithAck("message:delete", { room: "general", id: original.id })).ok);
    const page = (await (await http("carol", "GET", `/api/rooms/general/messages?after=${cursor}`)).json()) as LogPage;
    assert.equal(reactionsIn(page.events, original.id).length, 0);
    assert.ok(page.events.some((e) => e.type === "message:deleted" && e.id === original.id));
  });
});
