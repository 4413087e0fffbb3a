import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { request, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import type { Message, WsClientFrame, WsReplies, WsReplyFrame, WsServerFrame } from "../contract";
import { connectClient, connected, joinAsGuest, nextEvent, register, startServer, type Client, type Harness } from "../test/harness";

/** A `ws` client that keeps every frame it receives and correlates replies by id. */
class WsClient {
  readonly frames: WsServerFrame[] = [];
  private waiters = new Set<() => void>();
  private nextId = 1;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.frames.push(JSON.parse(data.toString()) as WsServerFrame);
      for (const wake of [...this.waiters]) wake();
    });
  }

  /** The first frame, received so far or later, that satisfies `pred`. */
  waitFor<F extends WsServerFrame>(pred: (f: WsServerFrame) => f is F, ms?: number): Promise<F>;
  waitFor(pred: (f: WsServerFrame) => boolean, ms?: number): Promise<WsServerFrame>;
  waitFor(pred: (f: WsServerFrame) => boolean, ms = 3000): Promise<WsServerFrame> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.frames.find(pred);
        if (!found) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error("timed out waiting for a frame"));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  request<T extends keyof WsReplies>(frame: Extract<WsClientFrame, { type: T }>): Promise<WsReplyFrame<WsReplies[T]>> {
    const id = `r${this.nextId++}`;
    this.ws.send(JSON.stringify({ ...frame, id }));
    return this.waitFor((f) => f.type === "reply" && f.id === id) as Promise<WsReplyFrame<WsReplies[T]>>;
  }

  messages(): Message[] {
    return this.frames.flatMap((f) => (f.type === "message:new" ? [f.message] : []));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}

function openWs(base: string, opts: { cookie?: string; origin?: string; query?: string; bearer?: string } = {}): Promise<WsClient> {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.origin) headers.origin = opts.origin;
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  const ws = new WebSocket(`${base.replace(/^http/, "ws")}/ws${opts.query ?? ""}`, { headers });
  const client = new WsClient(ws);
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(client));
    ws.once("error", reject);
  });
}

const closeCode = (client: WsClient) =>
  new Promise<number>((resolve) => client.ws.once("close", (code) => resolve(code)));

describe("native WebSocket /ws", () => {
  let h: Harness;
  let aliceCookie: string;
  let alice: WsClient;
  let bob: Client;

  before(async () => {
    h = await startServer();
    aliceCookie = await register(h.url, "alice");
    alice = await openWs(h.url, { cookie: aliceCookie, origin: h.url });
    bob = connectClient(h.url, await joinAsGuest(h.url, "Bob"));
    await connected(bob);
    const ack = await bob.emitWithAck("room:join", { room: "general" });
    assert.equal(ack.ok, true);
    const joined = await alice.request({ type: "room:join", room: "general" });
    assert.ok(joined.ok, JSON.stringify(joined));
    assert.equal(joined.room.slug, "general");
    assert.deepEqual(joined.online.map((u) => u.name).sort(), ["Bob", "alice"].sort());
  });

  after(async () => {
    await alice?.close();
    bob?.close();
    await h?.stop();
  });

  it("chats both ways with a Socket.IO client, replies correlated by id", async () => {
    const clientId = randomUUID();
    const seenByBob = nextEvent(bob, "message:new", (m) => m.clientId === clientId);
    const reply = await alice.request({ type: "message:send", room: "general", clientId, body: "  hi from ws  " });
    assert.ok(reply.ok, JSON.stringify(reply));
    assert.equal(reply.message.body, "hi from ws");
    assert.equal(reply.message.author.name, "alice");
    assert.deepEqual(await seenByBob, reply.message);
    // The sender's own message also arrives as an event, like on Socket.IO.
    await alice.waitFor((f) => f.type === "message:new" && f.message.clientId === clientId);

    const back = randomUUID();
    const ack = await bob.emitWithAck("message:send", { room: "general", clientId: back, body: "hi from socket.io" });
    assert.ok(ack.ok);
    const got = await alice.waitFor((f) => f.type === "message:new" && f.message.clientId === back);
    assert.deepEqual(got.type === "message:new" && got.message, ack.message);

    // Pipelined requests: each reply carries its own request's id.
    const replies = await Promise.all(
      ["a", "b", "c"].map((body) => alice.request({ type: "message:send", room: "general", clientId: randomUUID(), body })),
    );
    assert.deepEqual(replies.map((r) => r.ok && r.message.body), ["a", "b", "c"]);
  });

  it("resumes with `after`: exactly the missed messages, in order, then live without duplicates", async () => {
    const me = await openWs(h.url, { cookie: aliceCookie });
    const first = await me.request({ type: "room:join", room: "general" });
    assert.ok(first.ok);
    const cursor = first.head;
    await me.close();

    const missed: Message[] = [];
    for (let i = 0; i < 5; i++) {
      const ack = await bob.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: `missed ${i}` });
      assert.ok(ack.ok);
      missed.push(ack.message);
    }

    const again = await openWs(h.url, { cookie: aliceCookie });
    const resumed = await again.request({ type: "room:join", room: "general", after: cursor, epoch: first.epoch });
    assert.ok(resumed.ok, JSON.stringify(resumed));
    assert.equal(resumed.reset, undefined);
    assert.equal(resumed.more, false);
    assert.deepEqual(resumed.messages, missed);
    assert.equal(resumed.head, missed.at(-1)!.seq);

    const liveId = randomUUID();
    await bob.emitWithAck("message:send", { room: "general", clientId: liveId, body: "live" });
    await again.waitFor((f) => f.type === "message:new" && f.message.clientId === liveId);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(again.messages().map((m) => m.body), ["live"], "no replayed message arrives twice");

    // A cursor from another epoch resets to the newest page.
    const reset = await again.request({ type: "room:join", room: "general", after: 1, epoch: "other-epoch" });
    assert.ok(reset.ok);
    assert.equal(reset.reset, true);
    await again.close();
  });

  it("answers malformed frames with errors and stays usable", async () => {
    const c = await openWs(h.url, { cookie: aliceCookie });
    const errors = () => c.frames.filter((f) => f.type === "error");

    c.ws.send("not json {");
    c.ws.send(JSON.stringify([1, 2, 3]));
    c.ws.send(JSON.stringify({ type: "room:explode", id: 7 }));
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    c.ws.send(JSON.stringify({ type: "typing", room: "general", typing: "yes" }));
    await c.waitFor(() => errors().length === 5);
    for (const f of errors()) assert.equal(f.type === "error" && f.error.code, "invalid");
    const unknown = errors().find((f) => f.type === "error" && f.id === 7);
    assert.ok(unknown && unknown.type === "error" && /room:explode/.test(unknown.error.message));

    const bad = await c.request({ type: "message:send", room: "general", clientId: "not-a-uuid", body: "x" });
    assert.equal(!bad.ok && bad.error.code, "invalid");
    const missing = await c.request({ type: "room:join", room: "no-such-room" });
    assert.equal(!missing.ok && missing.error.code, "not_found");
    const noRoom = await c.request({ type: "room:join" } as never);
    assert.equal(!noRoom.ok && noRoom.error.code, "invalid");
    const long = await c.request({ type: "message:send", room: "general", clientId: randomUUID(), body: "x".repeat(4001) });
    assert.equal(!long.ok && long.error.code, "too_large");

    const ok = await c.request({ type: "message:send", room: "general", clientId: randomUUID(), body: "still here" });
    assert.equal(ok.ok, true);
    assert.equal(c.ws.readyState, WebSocket.OPEN);
    await c.close();
  });

  it("closes a connection that sends a frame over 64 KiB (1009)", async () => {
    const c = await openWs(h.url, { cookie: aliceCookie });
    const code = closeCode(c);
    c.ws.send(JSON.stringify({ type: "message:send", id: 1, room: "general", clientId: randomUUID(), body: "x".repeat(70_000) }));
    assert.equal(await code, 1009);
  });

  it("refuses an upgrade without credentials (401) or with a foreign Origin (403)", async () => {
    await assert.rejects(openWs(h.url), /401/);
    await assert.rejects(openWs(h.url, { query: "?token=rat_nope" }), /401/);
    await assert.rejects(openWs(h.url, { cookie: aliceCookie, origin: "https://evil.example" }), /403/);
    await assert.rejects(openWs(h.url, { cookie: aliceCookie, origin: "null" }), /403/);
    // The same cookie from our own origin is fine.
    const own = await openWs(h.url, { cookie: aliceCookie, origin: h.url });
    await own.close();
  });

  it("authenticates with an API token in ?token= or Authorization: Bearer", async () => {
    const res = await fetch(`${h.url}/api/tokens`, {
      method: "POST",
      headers: { cookie: aliceCookie, origin: h.url, "content-type": "application/json" },
      body: JSON.stringify({ name: "ws test" }),
    });
    assert.equal(res.status, 201);
    const { token } = (await res.json()) as { token: { token: string } };
    assert.match(token.token, /^rat_/);

    for (const c of [
      await openWs(h.url, { query: `?token=${encodeURIComponent(token.token)}` }),
      await openWs(h.url, { bearer: token.token }),
    ]) {
      const joined = await c.request({ type: "room:join", room: "general" });
      assert.ok(joined.ok);
      const sent = await c.request({ type: "message:send", room: "general", clientId: randomUUID(), body: "by token" });
      assert.ok(sent.ok);
      assert.equal(sent.message.author.name, "alice");
      await c.close();
    }
  });

  it("relays typing (not to the typist) and presence", async () => {
    const second = await openWs(h.url, { cookie: aliceCookie });
    assert.ok((await second.request({ type: "room:join", room: "general" })).ok);

    const bobSees = nextEvent(bob, "typing", (t) => t.user.name === "alice" && t.typing);
    alice.ws.send(JSON.stringify({ type: "typing", room: "general", typing: true }));
    assert.equal((await bobSees).room, "general");

    bob.emit("typing", { room: "general", typing: true });
    const fromBob = await alice.waitFor((f) => f.type === "typing" && f.user.name === "Bob" && f.typing);
    assert.equal(fromBob.type === "typing" && fromBob.room, "general");
    await second.waitFor((f) => f.type === "typing" && f.user.name === "Bob");
    assert.equal(second.frames.filter((f) => f.type === "typing" && f.user.name === "alice").length, 0);
    assert.equal(alice.frames.filter((f) => f.type === "typing" && f.user.name === "alice").length, 0);
    await second.close();

    const hubBefore = h.app.ctx.connections.counts().ws;
    const carol = await openWs(h.url, { cookie: await joinAsGuest(h.url, "Carol") });
    const bobSeesCarol = nextEvent(bob, "presence", (p) => p.joined.some((u) => u.name === "Carol"));
    const joined = await carol.request({ type: "room:join", room: "general" });
    assert.ok(joined.ok);
    assert.ok(joined.online.some((u) => u.name === "Carol"));
    await alice.waitFor((f) => f.type === "presence" && f.joined.some((u) => u.name === "Carol"));
    const carolId = (await bobSeesCarol).joined.find((u) => u.name === "Carol")!.id;
    assert.equal(h.app.ctx.connections.counts().ws, hubBefore + 1);

    const gone = nextEvent(bob, "presence", (p) => p.left.includes(carolId));
    await carol.close();
    await gone;
    assert.equal(h.app.ctx.connections.counts().ws, hubBefore, "a closed connection leaves the hub");
  });

  it("leaves a room on room:leave and stops its events", async () => {
    const c = await openWs(h.url, { cookie: aliceCookie });
    assert.ok((await c.request({ type: "room:join", room: "general" })).ok);
    assert.ok((await c.request({ type: "room:leave", room: "general" })).ok);
    const clientId = randomUUID();
    await bob.emitWithAck("message:send", { room: "general", clientId, body: "after leave" });
    await alice.waitFor((f) => f.type === "message:new" && f.message.clientId === clientId);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(c.messages().some((m) => m.clientId === clientId), false);
    await c.close();
  });

  it("leaves upgrades for other paths to their owner", async () => {
    // Stands in for Next's HMR handler: it answers, after a delay, only if
    // nobody else destroyed the socket first.
    const owner = (req: IncomingMessage, socket: Duplex) => {
      if (!req.url?.startsWith("/_next/")) return;
      setTimeout(() => {
        if (socket.destroyed) return;
        socket.end("HTTP/1.1 418 I'm a teapot\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      }, 200);
    };
    h.app.server.on("upgrade", owner);
    try {
      const { port } = new URL(h.url);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = request({
          host: "127.0.0.1",
          port,
          path: "/_next/hmr",
          headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" },
        });
        req.on("response", (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on("error", reject);
        req.end();
      });
      assert.equal(status, 418, "an upgrade for another path must reach its owner intact");
    } finally {
      h.app.server.off("upgrade", owner);
    }
  });
});
