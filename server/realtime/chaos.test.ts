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
import { createChaosBus } from "../test/chaos-bus";
import { longPollFollower, socketFollower, sseFollower, until, wsFollower, type Follower } from "../test/followers";
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

describe("exactly once, in order, under a reordering, duplicating and lossy bus", () => {
  it(`delivers 1..${N} to every transport, joined early or half-way`, async () => {
    const start = await head();
    const expected = Array.from({ length: N }, (_, i) => start + i + 1);
    const cookie = await joinAsGuest(h.url, "poller");

    const guest = (name: string) => joinAsGuest(h.url, name);
    const followers: Record<string, Follower> = {
      "socket.io websocket": await socketFollower(h.url, await guest("sio-ws"), "websocket"),
      "socket.io polling": await socketFollower(h.url, await guest("sio-polling"), "polling"),
      sse: sseFollower(h.url, start),
      "long-poll": longPollFollower(h.url, cookie, start),
      "/ws": await wsFollower(h.url, await guest("ws-early")),
    };
    for (const f of Object.values(followers)) closers.push(() => f.close());

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
      socketFollower(h.url, await guest("late-ws"), "websocket", start),
      socketFollower(h.url, await guest("late-polling"), "polling", start),
      wsFollower(h.url, await guest("ws-late"), start),
    ]);
    const lateSse = sseFollower(h.url, start);
    const secondHalf = senders.flatMap((s) => Array.from({ length: PER_SENDER / 2 }, (_, i) => send(s, PER_SENDER / 2 + i)));
    const acks = await Promise.all([...firstHalf, ...secondHalf]);
    assert.ok(acks.every((a) => a.ok), "every send is acknowledged");
    const [lateWs, latePolling, lateNative] = await late;
    for (const f of [lateWs, latePolling, lateNative, lateSse]) closers.push(() => f.close());
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
