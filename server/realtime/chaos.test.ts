/**
 * The promise, under a bus that behaves badly on purpose (events delayed so
 * they overtake each other, delivered twice, or lost): every client on every
 * transport still receives the room's log 1..N exactly once, in order. Some
 * clients follow from the start; others join half-way from a cursor, so the
 * replay-to-live hand-over happens while events are in flight.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createParser } from "eventsource-parser";
import WebSocket from "ws";
import type { LogPage, WsServerFrame } from "../contract";
import { createChaosBus } from "../test/chaos-bus";
import { connectClient, connected, joinAsGuest, startServer, type Client, type Harness } from "../test/harness";

const SENDERS = 4;
const PER_SENDER = 50;
const N = SENDERS * PER_SENDER;

let h: Harness;
let bus: ReturnType<typeof createChaosBus>;
const closers: (() => unknown)[] = [];

before(async () => {
  bus = createChaosBus({ seed: 7, maxDelayMs: 40, duplicate: 0.3, lose: 0.1 });
  h = await startServer({ bus });
});
after(async () => {
  for (const close of closers) await close();
  await h?.stop();
});

async function head(): Promise<number> {
  return (await h.app.prisma.room.findUniqueOrThrow({ where: { slug: "general" } })).lastSeq;
}

/** A Socket.IO client in #general; `seqs` are the log events it received live. */
async function socketFollower(transport: "websocket" | "polling", after?: number) {
  const client = connectClient(h.url, await joinAsGuest(h.url, `sio-${transport}-${after ?? "live"}`), { transports: [transport] });
  closers.push(() => client.close());
  await connected(client);
  const seqs: number[] = [];
  client.on("message:new", (m) => seqs.push(m.seq));
  const joined = await client.emitWithAck("room:join", after === undefined ? { room: "general" } : { room: "general", after });
  assert.ok(joined.ok, JSON.stringify(joined));
  // Replayed events come first in the answer, then live ones.
  const replayed = joined.events.map((e) => e.seq);
  return { seqs: () => [...replayed, ...seqs] };
}

function sseFollower(lastEventId?: number) {
  const seqs: number[] = [];
  const controller = new AbortController();
  const parser = createParser({ onEvent: (e) => e.event === "message" && e.id && seqs.push(Number(e.id)) });
  void fetch(`${h.url}/api/rooms/general/feed`, {
    headers: lastEventId === undefined ? {} : { "last-event-id": String(lastEventId) },
    signal: controller.signal,
  })
    .then(async (res) => {
      const decoder = new TextDecoder();
      const reader = res.body!.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) parser.feed(decoder.decode(r.value, { stream: true }));
    })
    .catch(() => {});
  closers.push(() => controller.abort());
  return { seqs: () => seqs };
}

function longPollFollower(cookie: string, from: number) {
  const seqs: number[] = [];
  let stop = false;
  const loop = (async () => {
    let cursor = from;
    while (!stop) {
      const res = await fetch(`${h.url}/api/rooms/general/messages?after=${cursor}&wait=2`, { headers: { cookie } });
      const page = (await res.json()) as LogPage;
      for (const e of page.events) seqs.push(e.seq);
      cursor = page.next;
    }
  })();
  closers.push(async () => {
    stop = true;
    await loop.catch(() => {});
  });
  return { seqs: () => seqs };
}

async function wsFollower(cookie: string, from?: number) {
  const ws = new WebSocket(`${h.url.replace("http", "ws")}/ws`, { headers: { cookie, origin: h.url } });
  closers.push(() => ws.close());
  const seqs: number[] = [];
  await new Promise<void>((resolve, reject) => (ws.once("open", () => resolve()), ws.once("error", reject)));
  const replied = new Promise<void>((resolve) => {
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as WsServerFrame;
      if (frame.type === "reply" && frame.ok && "events" in frame) {
        for (const e of frame.events) seqs.push(e.seq);
        resolve();
      }
      if (frame.type === "message:new") seqs.push(frame.message.seq);
    });
  });
  ws.send(JSON.stringify(from === undefined ? { type: "room:join", id: 1, room: "general" } : { type: "room:join", id: 1, room: "general", after: from }));
  await replied;
  return { seqs: () => seqs };
}

async function until(pred: () => boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (!pred() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
}

describe("exactly once, in order, under a reordering, duplicating and lossy bus", () => {
  it(`delivers 1..${N} to every transport, joined early or half-way`, async () => {
    const start = await head();
    const expected = Array.from({ length: N }, (_, i) => start + i + 1);
    const cookie = await joinAsGuest(h.url, "poller");

    const followers: Record<string, { seqs(): number[] }> = {
      "socket.io websocket": await socketFollower("websocket"),
      "socket.io polling": await socketFollower("polling"),
      sse: sseFollower(start),
      "long-poll": longPollFollower(cookie, start),
      "/ws": await wsFollower(await joinAsGuest(h.url, "ws-early")),
    };

    const senders: Client[] = [];
    for (let i = 0; i < SENDERS; i++) {
      const s = connectClient(h.url, await joinAsGuest(h.url, `sender-${i}`));
      closers.push(() => s.close());
      await connected(s);
      senders.push(s);
    }
    const send = (s: Client, i: number) => s.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: `chaos ${i}` });

    // The first half, concurrently from every sender.
    const firstHalf = senders.flatMap((s) => Array.from({ length: PER_SENDER / 2 }, (_, i) => send(s, i)));
    // Half-way joiners resume from the start while the rest is in flight.
    const late = Promise.all([
      socketFollower("websocket", start),
      socketFollower("polling", start),
      wsFollower(await joinAsGuest(h.url, "ws-late"), start),
    ]);
    const lateSse = sseFollower(start);
    const secondHalf = senders.flatMap((s) => Array.from({ length: PER_SENDER / 2 }, (_, i) => send(s, PER_SENDER / 2 + i)));
    const acks = await Promise.all([...firstHalf, ...secondHalf]);
    assert.ok(acks.every((a) => a.ok), "every send is acknowledged");
    const [lateWs, latePolling, lateNative] = await late;
    Object.assign(followers, { "late socket.io websocket": lateWs, "late socket.io polling": latePolling, "late /ws": lateNative, "late sse": lateSse });

    // Events lost at the very end have nothing after them to reveal the gap: a bus reconnect does.
    await new Promise((r) => setTimeout(r, 300));
    bus.recover();
    await until(() => Object.values(followers).every((f) => f.seqs().length >= N), 10_000);

    assert.ok(bus.stats.lost > 0 && bus.stats.duplicated > 0, `the bus misbehaved (${JSON.stringify(bus.stats)})`);
    for (const [name, follower] of Object.entries(followers)) {
      assert.deepEqual(follower.seqs(), expected, `${name}: every event once, in order`);
    }
  });
});
