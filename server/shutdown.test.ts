/**
 * A restart that clients survive. SIGTERM: the node stops accepting, lets
 * writes under way finish, asks every client to reconnect, and exits within
 * 10 s however many connections are open. Restarted on the same port and
 * database, every client comes back by itself (Socket.IO over both
 * transports, SSE, long-poll, /ws) and resumes from its cursor: nothing lost,
 * nothing twice.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { EventSource } from "eventsource";
import { io as connect, type Socket } from "socket.io-client";
import WebSocket from "ws";
import type { ClientToServerEvents, LogPage, ServerToClientEvents, WsServerFrame } from "./contract";
import { freePort, startNode, type NodeProcess } from "./test/cluster";
import { until } from "./test/followers";
import { joinAsGuest } from "./test/harness";

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const dir = mkdtempSync(path.join(os.tmpdir(), "chat-restart-"));
const closers: (() => unknown)[] = [];
let node: NodeProcess | undefined;

after(async () => {
  for (const close of closers) await close();
  await node?.kill();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * What a follower has seen, in order, as the browser keeps it
 * (components/chat/roomState.ts): an entry ahead of the cursor is held until
 * the gap before it is filled (a live entry can overtake the answer to a
 * join that was retried after a timeout), one at or behind it is a duplicate.
 */
function inOrder() {
  const seqs: number[] = [];
  const held = new Set<number>();
  let cursor: number | undefined;
  const drain = () => {
    while (cursor !== undefined && held.delete(cursor + 1)) seqs.push((cursor += 1));
  };
  return {
    seqs,
    cursor: () => cursor,
    /** A live entry, or one of a page's. */
    see(seq: number) {
      if (cursor !== undefined && seq <= cursor) return;
      held.add(seq);
      drain();
    },
    /** Everything up to `next` is accounted for (a page ended there). */
    reach(next: number) {
      cursor = Math.max(cursor ?? next, next);
      drain();
    },
  };
}

/** A Socket.IO client that reconnects by itself and rejoins from its cursor, as the browser does. */
function resilientSocket(url: string, cookie: string, transport: "websocket" | "polling") {
  const log = inOrder();
  let epoch: string | undefined;
  const client: Client = connect(url, {
    transports: [transport],
    extraHeaders: { cookie },
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
    forceNew: true,
  });
  client.on("message:new", (m) => log.see(m.seq));
  // As the browser does (components/chat/useRoom.ts): a refused or unanswered join is retried,
  // and a page that says there is more is followed by a join from where it ended.
  const join = async (): Promise<void> => {
    if (!client.connected) return;
    const cursor = log.cursor();
    const ack = await client
      .timeout(5000)
      .emitWithAck("room:join", cursor === undefined ? { room: "general" } : { room: "general", after: cursor, epoch })
      .catch(() => null);
    if (!ack?.ok) {
      setTimeout(() => void join(), 200);
      return;
    }
    for (const e of ack.events) log.see(e.seq);
    log.reach(ack.next);
    epoch = ack.epoch;
    if (ack.more) await join();
  };
  client.on("connect", () => void join());
  closers.push(() => client.close());
  return { name: `socket.io ${transport}`, seqs: () => log.seqs, client };
}

function resilientLongPoll(url: string, cookie: string, from: number) {
  const seqs: number[] = [];
  let stop = false;
  const loop = (async () => {
    let cursor = from;
    while (!stop) {
      try {
        const res = await fetch(`${url}/api/rooms/general/messages?after=${cursor}&wait=5`, { headers: { cookie } });
        if (!res.ok) throw new Error(String(res.status));
        const page = (await res.json()) as LogPage;
        for (const e of page.events) seqs.push(e.seq);
        cursor = page.next;
      } catch {
        await new Promise((r) => setTimeout(r, 200)); // down for a moment: poll again
      }
    }
  })();
  closers.push(async () => {
    stop = true;
    await loop;
  });
  return { name: "long-poll", seqs: () => seqs };
}

function resilientWs(url: string, cookie: string, from: number) {
  const log = inOrder();
  log.reach(from);
  const closes: number[] = [];
  let stop = false;
  const open = () => {
    if (stop) return;
    const ws = new WebSocket(`${url.replace("http", "ws")}/ws`, { headers: { cookie, origin: url } });
    ws.on("open", () => ws.send(JSON.stringify({ type: "room:join", id: 1, room: "general", after: log.cursor() })));
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as WsServerFrame;
      if (frame.type === "reply" && frame.ok && "events" in frame) {
        for (const e of frame.events) log.see(e.seq);
        log.reach(frame.next);
      }
      if (frame.type === "message:new") log.see(frame.message.seq);
    });
    ws.on("close", (code) => {
      closes.push(code);
      setTimeout(open, 200);
    });
    ws.on("error", () => {});
    closers.push(() => ((stop = true), ws.close()));
  };
  open();
  return { name: "/ws", seqs: () => log.seqs, closes };
}

describe("shutdown and restart", () => {
  it("exits within 10 s with every kind of client connected, and they all come back by themselves", async () => {
    const port = await freePort();
    const env = { PORT: String(port), DATABASE_URL: `file:${path.join(dir, "chat.db")}` };
    node = await startNode(env);
    const url = node.url;
    const cookies = await Promise.all(["ws", "polling", "sse", "lp", "native", "sender"].map((n) => joinAsGuest(url, `Restart ${n}`)));
    const start = ((await (await fetch(`${url}/api/rooms/general/messages?after=0`, { headers: { cookie: cookies[0]! } })).json()) as LogPage).head;

    const followers = [resilientSocket(url, cookies[0]!, "websocket"), resilientSocket(url, cookies[1]!, "polling")];
    const sseSeqs: number[] = [];
    const es = new EventSource(`${url}/api/rooms/general/feed?lastEventId=${start}`);
    es.addEventListener("message", (e) => sseSeqs.push(Number(e.lastEventId)));
    closers.push(() => es.close());
    const longPoll = resilientLongPoll(url, cookies[3]!, start);
    const native = resilientWs(url, cookies[4]!, start);
    await until(() => followers.every((f) => f.client.connected), 5000);
    await new Promise((r) => setTimeout(r, 300));

    const send = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const res = await fetch(`${url}/api/rooms/general/messages`, {
          method: "POST",
          headers: { cookie: cookies[5]!, "content-type": "application/json", origin: url },
          body: JSON.stringify({ clientId: randomUUID(), body: `around a restart ${i}` }),
        });
        assert.equal(res.status, 201);
      }
    };
    await send(10);
    const all = [...followers, longPoll, native, { name: "sse", seqs: () => sseSeqs }];
    assert.ok(await until(() => all.every((f) => f.seqs().length >= 10), 5000), "everyone got the first ten");

    const stopping = Date.now();
    node.child.kill("SIGTERM");
    await new Promise<void>((resolve) => node!.child.once("exit", () => resolve()));
    const took = Date.now() - stopping;
    assert.ok(took < 10_000, `exited after ${took} ms`);
    assert.ok(native.closes.includes(1001), "/ws was told 'going away'");

    node = await startNode(env);
    await send(10);
    const expected = Array.from({ length: 20 }, (_, i) => start + i + 1);
    await until(() => all.every((f) => f.seqs().length >= 20), 15_000);
    for (const f of all) assert.deepEqual(f.seqs(), expected, `${f.name}: back by itself, nothing lost or twice`);
  });
});
