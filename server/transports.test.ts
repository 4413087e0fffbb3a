/**
 * Every transport resumes from the same cursor (the room log's seq): a client
 * is away while another sends 100 messages; back, it receives exactly those
 * 100, in order, with no duplicates.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { EventSource } from "eventsource";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { LogPage, Message } from "./contract";
import { MAX_BUFFERED_BYTES } from "./http/sse";
import { connectClient, connected, joinAsGuest, nextEvent, register, startServer, type Client, type Harness } from "./test/harness";

let h: Harness;
let senderCookie: string;
let sender: Client;

async function sendMany(n: number, tag: string): Promise<Message[]> {
  const out: Message[] = [];
  for (let i = 0; i < n; i++) {
    const ack = await sender.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: `${tag} ${i}` });
    assert.ok(ack.ok, JSON.stringify(ack));
    out.push(ack.message);
  }
  return out;
}

function assertExactly(received: Message[], expected: Message[]) {
  assert.deepEqual(
    received.map((m) => m.id),
    expected.map((m) => m.id),
    "expected exactly the missed messages, in order, once each",
  );
}

async function headSeq(): Promise<number> {
  return (await h.app.prisma.room.findUniqueOrThrow({ where: { slug: "general" } })).lastSeq;
}

before(async () => {
  h = await startServer();
  senderCookie = await register(h.url, "sender");
  sender = connectClient(h.url, senderCookie);
  await connected(sender);
  await sender.emitWithAck("room:join", { room: "general" });
});

after(async () => {
  sender?.close();
  await h?.stop();
});

describe("resume after 100 missed messages", () => {
  for (const transport of ["websocket", "polling"] as const) {
    it(`Socket.IO over ${transport}`, async () => {
      const cookie = await joinAsGuest(h.url, `away-${transport}`);
      const first = connectClient(h.url, cookie, { transports: [transport] });
      await connected(first);
      const joined = await first.emitWithAck("room:join", { room: "general" });
      assert.ok(joined.ok);
      const cursor = joined.head;
      const epoch = joined.epoch;
      first.close();

      const missed = await sendMany(100, `missed-${transport}`);

      const back = connectClient(h.url, cookie, { transports: [transport] });
      await connected(back);
      const live: Message[] = [];
      back.on("message:new", (m) => live.push(m));
      const resumed = await back.emitWithAck("room:join", { room: "general", after: cursor, epoch });
      assert.ok(resumed.ok);
      assert.equal(resumed.reset, undefined);
      assert.equal(resumed.more, false);
      assertExactly(resumed.messages, missed);
      assert.equal(live.length, 0, "nothing replayed twice through the live path");
      back.close();
    });
  }

  it("HTTP long-poll API", async () => {
    const cookie = await joinAsGuest(h.url, "away-longpoll");
    const cursor = await headSeq();
    const missed = await sendMany(100, "missed-longpoll");
    const res = await fetch(`${h.url}/api/rooms/general/messages?after=${cursor}&wait=5`, { headers: { cookie } });
    assert.equal(res.status, 200);
    const page = (await res.json()) as LogPage;
    assertExactly(page.messages, missed);
    assert.equal(page.head, missed[missed.length - 1]!.seq);
  });

  it("SSE with the eventsource client, resuming by Last-Event-ID", async () => {
    let feedSocket: net.Socket | undefined;
    const onRequest = (req: { url?: string; socket: net.Socket }) => {
      if (req.url?.includes("/feed")) feedSocket = req.socket;
    };
    h.app.server.on("request", onRequest);
    const lastEventIds: (string | null)[] = [];
    const received: Message[] = [];
    const es = new EventSource(`${h.url}/api/rooms/general/feed`, {
      fetch: (input, init) => {
        lastEventIds.push(new Headers(init?.headers as HeadersInit).get("last-event-id"));
        return fetch(input, init);
      },
    });
    const opened = () => new Promise<void>((resolve) => es.addEventListener("open", () => resolve(), { once: true }));
    es.addEventListener("message", (e) => received.push(JSON.parse(e.data) as Message));
    try {
      await opened();
      // The initial page arrives; then the connection drops.
      const initialHead = await headSeq();
      while (received[received.length - 1]?.seq !== initialHead) await new Promise((r) => setTimeout(r, 20));
      const before = received.length;
      const reopened = opened();
      feedSocket!.destroy();
      const missed = await sendMany(100, "missed-sse");
      await reopened; // EventSource reconnects by itself after `retry:`
      while (received.length < before + 100) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200)); // room for any duplicate to show up
      assert.equal(lastEventIds[0], null);
      assert.equal(lastEventIds[1], String(initialHead), "reconnected with the last id it saw");
      assertExactly(received.slice(before), missed);
    } finally {
      es.close();
      h.app.server.off("request", onRequest);
    }
  });
});

describe("other transport paths", () => {
  it("a polling-only client and a WebSocket client chat both ways", async () => {
    const polling = connectClient(h.url, await joinAsGuest(h.url, "poller"), { transports: ["polling"] });
    const ws = connectClient(h.url, await joinAsGuest(h.url, "socketeer"), { transports: ["websocket"] });
    await Promise.all([connected(polling), connected(ws)]);
    assert.equal(polling.io.engine.transport.name, "polling");
    await polling.emitWithAck("room:join", { room: "general" });
    await ws.emitWithAck("room:join", { room: "general" });
    for (const [from, to] of [
      [polling, ws],
      [ws, polling],
    ] as const) {
      const clientId = randomUUID();
      const seen = nextEvent(to, "message:new", (m) => m.clientId === clientId);
      const ack = await from.emitWithAck("message:send", { room: "general", clientId, body: "across transports" });
      assert.ok(ack.ok);
      assert.equal((await seen).id, ack.message.id);
    }
    polling.close();
    ws.close();
  });

  it("releases a long-poll waiter promptly when a message arrives", async () => {
    const cookie = await joinAsGuest(h.url, "waiter");
    const cursor = await headSeq();
    const started = Date.now();
    const pending = fetch(`${h.url}/api/rooms/general/messages?after=${cursor}&wait=25`, { headers: { cookie } });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.app.ctx.connections.counts().longpoll, 1, "the request is being held");
    const [sent] = await sendMany(1, "wake up");
    const page = (await (await pending).json()) as LogPage;
    assert.deepEqual(page.messages.map((m) => m.id), [sent!.id]);
    assert.ok(Date.now() - started < 10_000, "answered well before the 25 s wait");
    assert.equal(h.app.ctx.connections.counts().longpoll, 0, "the waiter is gone");
  });

  it("answers an empty page when the wait elapses, and bounds waiters per user", async () => {
    const cookie = await joinAsGuest(h.url, "patient");
    const cursor = await headSeq();
    const res = await fetch(`${h.url}/api/rooms/general/messages?after=${cursor}&wait=1`, { headers: { cookie } });
    assert.deepEqual(((await res.json()) as LogPage).messages, []);
    const bad = await fetch(`${h.url}/api/rooms/general/messages?after=${cursor}&wait=31`, { headers: { cookie } });
    assert.equal(bad.status, 400);

    const controller = new AbortController();
    const held = Array.from({ length: 6 }, () =>
      fetch(`${h.url}/api/rooms/general/messages?after=${cursor}&wait=20`, { headers: { cookie }, signal: controller.signal }).catch(() => null),
    );
    await new Promise((r) => setTimeout(r, 300));
    const extra = await fetch(`${h.url}/api/rooms/general/messages?after=${cursor}&wait=20`, { headers: { cookie } });
    assert.equal(extra.status, 429);
    assert.equal(extra.headers.get("retry-after"), "1");
    assert.equal(((await extra.json()) as { error: { retryAfter: number } }).error.retryAfter, 1000);
    controller.abort();
    await Promise.all(held);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.app.ctx.connections.counts().longpoll, 0, "aborted waiters release their subscriptions");
  });

  it("posts over HTTP with the same validation and idempotency", async () => {
    const cookie = await joinAsGuest(h.url, "poster");
    const post = (body: unknown) =>
      fetch(`${h.url}/api/rooms/general/messages`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const clientId = randomUUID();
    const seen = nextEvent(sender, "message:new", (m) => m.clientId === clientId);
    const first = await post({ clientId, body: "over http" });
    assert.equal(first.status, 201);
    const again = await post({ clientId, body: "over http" });
    const a = ((await first.json()) as { message: Message }).message;
    const b = ((await again.json()) as { message: Message }).message;
    assert.equal(a.id, b.id);
    assert.equal((await seen).id, a.id);
    assert.equal((await post({ clientId: randomUUID(), body: "x".repeat(4001) })).status, 413);
    assert.equal((await post({ clientId: randomUUID(), body: "  " })).status, 400);
    assert.equal((await post({ clientId: "nope", body: "hi" })).status, 400);
  });

  it("gives an explicit reset for a cursor it cannot honour", async () => {
    const cookie = await joinAsGuest(h.url, "time-traveller");
    const head = await headSeq();
    const client = connectClient(h.url, cookie);
    await connected(client);
    const ahead = await client.emitWithAck("room:join", { room: "general", after: head + 1000 });
    assert.ok(ahead.ok);
    assert.equal(ahead.reset, true);
    assert.equal(ahead.messages[ahead.messages.length - 1]?.seq, head, "the reset carries the newest page");
    const otherEpoch = await client.emitWithAck("room:join", { room: "general", after: 1, epoch: "another-log" });
    assert.ok(otherEpoch.ok);
    assert.equal(otherEpoch.reset, true);
    client.close();

    const poll = (await (await fetch(`${h.url}/api/rooms/general/messages?after=${head + 1000}`, { headers: { cookie } })).json()) as LogPage;
    assert.equal(poll.reset, true);

    const res = await fetch(`${h.url}/api/rooms/general/feed`, { headers: { "last-event-id": String(head + 1000) } });
    const events = await readEvents(res, (evs) => evs.some((e) => e.event === "message"));
    // The stream names its log first, then says the cursor cannot be honoured.
    assert.equal(events[0]?.event, "epoch");
    const { epoch } = JSON.parse(events[0]!.data) as { epoch: string };
    assert.equal(events[1]?.event, "reset");

    // A cursor from another log gets a reset on SSE too; one from this log resumes.
    const foreign = await fetch(`${h.url}/api/rooms/general/feed?lastEventId=1&epoch=another-log`);
    const foreignEvents = await readEvents(foreign, (evs) => evs.some((e) => e.event === "message"));
    assert.equal(foreignEvents[1]?.event, "reset");
    const same = await fetch(`${h.url}/api/rooms/general/feed?lastEventId=${head - 1}&epoch=${epoch}`);
    const sameEvents = await readEvents(same, (evs) => evs.some((e) => e.event === "message"));
    assert.deepEqual(
      sameEvents.map((e) => e.event),
      ["epoch", "message"],
      "the same log's cursor resumes: exactly the one event after it",
    );
    assert.equal(sameEvents[1]?.id, String(head));
  });

  it("serves the SSE wire format a spec parser accepts", async () => {
    const res = await fetch(`${h.url}/api/rooms/general/feed`, { headers: { origin: "https://embedder.example" } });
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "no-cache, no-transform");
    assert.equal(res.headers.get("x-accel-buffering"), "no");
    assert.equal(res.headers.get("content-encoding"), null);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    let retry: number | undefined;
    const events = await readEvents(res, (evs) => evs.length >= 4, (r) => (retry = r));
    assert.equal(retry, 3000);
    const [announce, ...rest] = events;
    assert.equal(announce?.event, "epoch");
    assert.equal(announce?.id, undefined, "the announcement is not a step of the cursor");
    assert.equal((JSON.parse(announce!.data) as { room: string }).room, "general");
    for (const e of rest) {
      assert.equal(e.event, "message");
      const m = JSON.parse(e.data) as Message;
      assert.equal(e.id, String(m.seq));
    }
  });

  it("refuses a private room's feed without membership or a token", async () => {
    const owner = await register(h.url, "owner");
    const created = await fetch(`${h.url}/api/rooms`, {
      method: "POST",
      headers: { cookie: owner, "content-type": "application/json", origin: h.url },
      body: JSON.stringify({ name: "Hidden", visibility: "private" }),
    });
    assert.equal(created.status, 201);
    const outsider = await joinAsGuest(h.url, "outsider");
    assert.equal((await fetch(`${h.url}/api/rooms/hidden/feed`)).status, 404);
    assert.equal((await fetch(`${h.url}/api/rooms/hidden/feed`, { headers: { cookie: outsider } })).status, 404);
    assert.equal((await fetch(`${h.url}/api/rooms/hidden/feed?token=rft_forged`)).status, 404);

    const member = await fetch(`${h.url}/api/rooms/hidden/feed`, { headers: { cookie: owner } });
    assert.equal(member.status, 200);
    await member.body?.cancel();

    const minted = await fetch(`${h.url}/api/rooms/hidden/feed-tokens`, {
      method: "POST",
      headers: { cookie: owner, "content-type": "application/json", origin: h.url },
      body: JSON.stringify({ name: "status page" }),
    });
    assert.equal(minted.status, 201);
    const { token } = (await minted.json()) as { token: { id: string; token: string } };
    const withToken = await fetch(`${h.url}/api/rooms/hidden/feed?token=${token.token}`);
    assert.equal(withToken.status, 200);
    await withToken.body?.cancel();
    // Another room's token does not open this one; a revoked token opens nothing.
    assert.equal((await fetch(`${h.url}/api/rooms/general/feed-tokens`, { method: "POST", headers: { cookie: owner, origin: h.url } })).status, 400);
    const revoked = await fetch(`${h.url}/api/rooms/hidden/feed-tokens/${token.id}`, { method: "DELETE", headers: { cookie: owner, origin: h.url } });
    assert.equal(revoked.status, 200);
    assert.equal((await fetch(`${h.url}/api/rooms/hidden/feed?token=${token.token}`)).status, 404);
    // Outsiders cannot mint tokens either.
    const forged = await fetch(`${h.url}/api/rooms/hidden/feed-tokens`, { method: "POST", headers: { cookie: outsider, origin: h.url } });
    assert.equal(forged.status, 404);
  });

  it("drops a slow SSE consumer and frees what it held", async () => {
    const url = new URL(h.url);
    // Watch the server's side of the stream: what it queues for this client.
    let feed: ServerResponse | undefined;
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.includes("/feed")) feed = res;
    };
    h.app.server.on("request", onRequest);
    // A raw client that sends the request and then never reads.
    const slow = net.connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => slow.once("connect", () => resolve()));
    slow.pause();
    slow.write(`GET /api/rooms/general/feed HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.app.ctx.connections.counts().sse, 1);
    const big = "y".repeat(3900);
    let queued = 0;
    // Loopback's kernel buffers absorb a few MB before the server's own queue grows.
    for (let i = 0; i < 5000 && h.app.ctx.connections.counts().sse > 0; i++) {
      await sender.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: `${big} ${i}` });
      queued = Math.max(queued, feed?.writableLength ?? 0);
    }
    h.app.server.off("request", onRequest);
    assert.equal(h.app.ctx.connections.counts().sse, 0, "the slow consumer was dropped");
    assert.ok(feed?.destroyed, "its connection was closed");
    // What the server held for it stayed within the bound (plus the event that crossed it).
    assert.ok(queued <= MAX_BUFFERED_BYTES + 8 * 1024, `queued ${queued} bytes for a client that never read`);
    slow.destroy();
  });

  it("frees a closed SSE connection's subscription", async () => {
    const controller = new AbortController();
    const res = await fetch(`${h.url}/api/rooms/general/feed`, { signal: controller.signal });
    assert.equal(res.status, 200);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.app.ctx.connections.counts().sse, 1);
    controller.abort();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.app.ctx.connections.counts().sse, 0);
  });
});

/** Reads an SSE response with a spec-compliant parser until `done` says so. */
async function readEvents(
  res: Response,
  done: (events: EventSourceMessage[]) => boolean,
  onRetry?: (ms: number) => void,
): Promise<EventSourceMessage[]> {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e), onRetry });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + 5000;
  while (!done(events) && Date.now() < deadline) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  await reader.cancel();
  return events;
}
