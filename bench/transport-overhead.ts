/**
 * How many bytes does one delivered chat message cost on each transport?
 *
 *   npx tsx bench/transport-overhead.ts            # print the table
 *   npx tsx bench/transport-overhead.ts --write    # also put it into docs/transports.md
 *   options: --n 50 (messages per transport), --idle 60 (seconds of idle measurement),
 *            --interval 1000 (short-polling period in ms),
 *            --dump (print the raw bytes each client exchanged for the last message)
 *
 * It starts the real server (server/test/harness.ts, no Next) on 127.0.0.1 and
 * puts a byte-counting TCP proxy (node:net) in front of it, one proxy per
 * measured client, so each client's traffic is counted alone. A second client,
 * connected to the server directly, sends the messages.
 *
 * For each transport: connect through the proxy, join or subscribe, let the
 * connection settle, then start counting. Setup and handshakes are therefore
 * outside the window. The sender then sends N messages one at a time, each
 * only after the measured client has received the previous one, so every
 * message is delivered on its own (no batching). The window closes a moment
 * after the last delivery, which leaves each polling client's follow-up
 * request inside it: N messages cost N request/response pairs.
 *
 * Bytes are counted on the TCP stream: HTTP request and response headers,
 * chunked-encoding and WebSocket framing, Socket.IO packet prefixes and JSON
 * envelopes. TCP/IP and TLS headers are not counted. The payload is the JSON
 * of the message as the client decodes it (`JSON.stringify(message)`); the
 * rest is overhead.
 *
 * Afterwards all six clients stay connected, idle, for --idle seconds, which
 * measures what keeping each one open costs with no message at all (pings,
 * heartbeats, empty polls).
 *
 * Only ever connects to 127.0.0.1.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { EventSource } from "eventsource";
import WebSocket from "ws";
import type { LogPage, WsServerFrame } from "../server/contract";
import { connectClient, connected, joinAsGuest, register, startServer, type Client } from "../server/test/harness";

const HOST = "127.0.0.1";
const ROOM = "general";
const DOC = path.resolve(import.meta.dirname, "../docs/transports.md");
const START = "<!-- overhead:start -->";
const END = "<!-- overhead:end -->";

const { values: args } = parseArgs({
  options: {
    n: { type: "string", default: "50" },
    idle: { type: "string", default: "60" },
    interval: { type: "string", default: "1000" },
    write: { type: "boolean", default: false },
    dump: { type: "boolean", default: false },
  },
});
const N = Number(args.n);
const IDLE_S = Number(args.idle);
const POLL_MS = Number(args.interval);
if (!(N >= 1 && IDLE_S >= 0 && POLL_MS >= 50)) throw new Error("--n >= 1, --idle >= 0, --interval >= 50");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Quiet time after setup before counting starts, and after the last delivery before it stops. */
const SETTLE_MS = 400;

// ---- The counting proxy ------------------------------------------------------

interface Counts {
  /** client -> server */
  up: number;
  /** server -> client */
  down: number;
}

interface Chunk {
  conn: number;
  dir: "up" | "down";
  chunk: Buffer;
}

interface CountingProxy {
  url: string;
  /** Totals since the proxy started. */
  counts: Counts;
  /** While set, every chunk is also kept here, tagged with its connection and direction. */
  recording: Chunk[] | null;
  close(): Promise<void>;
}

async function countingProxy(targetPort: number): Promise<CountingProxy> {
  const counts: Counts = { up: 0, down: 0 };
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((client) => {
    const conn = ++connections;
    const upstream = net.connect(targetPort, HOST);
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk: Buffer) => {
      counts.up += chunk.length;
      proxy.recording?.push({ conn, dir: "up", chunk });
    });
    upstream.on("data", (chunk: Buffer) => {
      counts.down += chunk.length;
      proxy.recording?.push({ conn, dir: "down", chunk });
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as net.AddressInfo;
  const proxy: CountingProxy = {
    url: `http://${HOST}:${port}`,
    counts,
    recording: null,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}

/** An HTTP request or response header block: start line to blank line. */
const HTTP_HEAD = /(?:HTTP\/1\.[01] \d{3}|[A-Z]+ \S+ HTTP\/1\.[01])[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n/g;

/** Bytes of HTTP header blocks in one direction of a recording, connection by connection. */
function headerBytes(chunks: Chunk[], dir: "up" | "down"): number {
  const streams = new Map<number, Buffer[]>();
  for (const c of chunks) if (c.dir === dir) streams.set(c.conn, [...(streams.get(c.conn) ?? []), c.chunk]);
  let total = 0;
  for (const parts of streams.values()) {
    for (const m of Buffer.concat(parts).toString("latin1").matchAll(HTTP_HEAD)) total += m[0].length;
  }
  return total;
}

/** A recording as text; WebSocket frame headers and other binary bytes escaped. */
function show(chunks: Chunk[]): string {
  return chunks
    .map(({ dir, chunk }) => {
      const text = chunk.toString("latin1").replace(/[^\x20-\x7e\n]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
      return `${dir === "up" ? ">>> client sent" : "<<< client received"} ${chunk.length} bytes:\n${text}`;
    })
    .join("\n");
}

// ---- Measured clients --------------------------------------------------------

/** One client under measurement: it records every message it receives. */
interface Receiver {
  /** (seq, payload bytes) of every message received, in order. */
  got: { seq: number; bytes: number }[];
  close(): void | Promise<void>;
}

function recorder() {
  const got: Receiver["got"] = [];
  const record = (m: object & { seq: number }) => got.push({ seq: m.seq, bytes: Buffer.byteLength(JSON.stringify(m)) });
  return { got, record };
}

async function socketIo(url: string, cookie: string, transport: "websocket" | "polling"): Promise<Receiver> {
  const { got, record } = recorder();
  const client = connectClient(url, cookie, { transports: [transport] });
  await connected(client);
  client.on("message:new", (m) => record(m));
  const joined = await client.emitWithAck("room:join", { room: ROOM });
  if (!joined.ok) throw new Error(`join failed: ${joined.error.message}`);
  return { got, close: () => void client.close() };
}

async function nativeWs(url: string, cookie: string): Promise<Receiver> {
  const { got, record } = recorder();
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws`, { headers: { cookie } });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const joined = new Promise<void>((resolve) => {
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as WsServerFrame;
      if (frame.type === "reply" && frame.id === "join") resolve();
      if (frame.type === "message:new") record(frame.message);
    });
  });
  ws.send(JSON.stringify({ type: "room:join", id: "join", room: ROOM }));
  await joined;
  return { got, close: () => ws.close() };
}

async function sse(url: string): Promise<Receiver> {
  const { got, record } = recorder();
  const es = new EventSource(`${url}/api/rooms/${ROOM}/feed`);
  await new Promise<void>((resolve, reject) => {
    es.onopen = () => resolve();
    es.onerror = (e) => reject(new Error(`SSE failed: ${e.message ?? "error"}`));
  });
  es.onerror = null;
  // The newest page arrives first (it precedes the window); count from here on.
  es.addEventListener("message", (e) => record(JSON.parse(e.data) as { seq: number }));
  return { got, close: () => es.close() };
}

/**
 * HTTP polling with a cursor. `wait` > 0 is long-polling (the server holds the
 * request until there is news); `wait` = 0 with a pause between requests is
 * traditional short polling.
 */
async function httpPoll(url: string, cookie: string, opts: { wait: number; pauseMs: number }): Promise<Receiver & { requests: () => number }> {
  const { got, record } = recorder();
  const head = await fetch(`${url}/api/rooms/${ROOM}/messages?after=0&wait=0`, { headers: { cookie } });
  let page = (await head.json()) as LogPage;
  let cursor = page.head;
  let epoch = page.epoch;
  let stopped = false;
  let requests = 0;
  const abort = new AbortController();
  void (async () => {
    while (!stopped) {
      try {
        requests++;
        const res = await fetch(`${url}/api/rooms/${ROOM}/messages?after=${cursor}&epoch=${epoch}&wait=${opts.wait}`, {
          headers: { cookie },
          signal: abort.signal,
        });
        page = (await res.json()) as LogPage;
        for (const m of page.messages) record(m);
        cursor = page.events.at(-1)?.seq ?? page.head;
        epoch = page.epoch;
      } catch (err) {
        if (stopped) return;
        console.error("poll failed:", err);
        await sleep(500);
      }
      if (opts.pauseMs && !page.more) await sleep(opts.pauseMs);
    }
  })();
  return {
    got,
    requests: () => requests,
    close: () => {
      stopped = true;
      abort.abort();
    },
  };
}

// ---- The run -----------------------------------------------------------------

interface Row {
  name: string;
  /** Per message, server -> client. */
  received: number;
  /** HTTP response header blocks among the received bytes. */
  headers: number;
  payload: number;
  /** Per message, client -> server. */
  sent: number;
  /** Requests per message, for the HTTP kinds. */
  note: string;
  idlePerMin?: number;
}

async function waitFor(cond: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

const h = await startServer();
const senderCookie = await register(h.url, "sender");
const sender: Client = connectClient(h.url, senderCookie);
await connected(sender);
await sender.emitWithAck("room:join", { room: ROOM });
const port = Number(new URL(h.url).port);

let counter = 0;
/** Sends N messages, each once the previous one arrived; returns where the last one starts in the recording. */
async function sendPaced(receiver: Receiver, proxy: CountingProxy): Promise<number> {
  let lastStart = 0;
  for (let i = 0; i < N; i++) {
    lastStart = proxy.recording?.length ?? 0;
    const ack = await sender.emitWithAck("message:send", {
      room: ROOM,
      clientId: randomUUID(),
      body: `Message ${String(++counter).padStart(3, "0")}: shall we meet at ten tomorrow?`,
    });
    if (!ack.ok) throw new Error(`send failed: ${ack.error.message}`);
    const seq = ack.message.seq;
    await waitFor(() => receiver.got.some((g) => g.seq === seq), 30_000, `seq ${seq}`);
  }
  return lastStart;
}

const transports: { name: string; open: (url: string, cookie: string) => Promise<Receiver & { requests?: () => number }> }[] = [
  { name: "Socket.IO over WebSocket", open: (u, c) => socketIo(u, c, "websocket") },
  { name: "Socket.IO over HTTP long-polling", open: (u, c) => socketIo(u, c, "polling") },
  { name: "Native WebSocket `/ws`", open: (u, c) => nativeWs(u, c) },
  { name: "SSE `/feed`", open: (u) => sse(u) },
  { name: "HTTP long-poll (`wait=25`)", open: (u, c) => httpPoll(u, c, { wait: 25, pauseMs: 0 }) },
  { name: `HTTP short polling (every ${POLL_MS / 1000} s)`, open: (u, c) => httpPoll(u, c, { wait: 0, pauseMs: POLL_MS }) },
];

const rows: Row[] = [];
const open: { proxy: CountingProxy; receiver: Receiver }[] = [];
try {
  for (const [i, t] of transports.entries()) {
    const proxy = await countingProxy(port);
    const cookie = await joinAsGuest(h.url, `reader-${i + 1}`);
    const receiver = await t.open(proxy.url, cookie);
    open.push({ proxy, receiver });
    await sleep(SETTLE_MS);

    const before = { ...proxy.counts };
    const from = receiver.got.length;
    const requestsBefore = receiver.requests?.() ?? 0;
    const recording: Chunk[] = (proxy.recording = []);
    const lastMessage = await sendPaced(receiver, proxy);
    await sleep(SETTLE_MS);
    proxy.recording = null;
    const after = { ...proxy.counts };
    if (args.dump) console.error(`\n----- ${t.name}: the last message on the wire -----\n${show(recording.slice(lastMessage))}\n`);

    const window = receiver.got.slice(from);
    if (window.length !== N) throw new Error(`${t.name}: received ${window.length} messages, expected ${N}`);
    const requests = receiver.requests ? receiver.requests() - requestsBefore : 0;
    rows.push({
      name: t.name,
      received: (after.down - before.down) / N,
      headers: headerBytes(recording, "down") / N,
      payload: window.reduce((sum, g) => sum + g.bytes, 0) / N,
      sent: (after.up - before.up) / N,
      note: receiver.requests ? `${(requests / N).toFixed(2)} requests per message` : "",
    });
    console.error(`measured ${t.name}`);
  }

  if (IDLE_S > 0) {
    console.error(`idle for ${IDLE_S} s with all six clients connected...`);
    const before = open.map(({ proxy }) => ({ ...proxy.counts }));
    await sleep(IDLE_S * 1000);
    open.forEach(({ proxy }, i) => {
      const bytes = proxy.counts.up - before[i]!.up + (proxy.counts.down - before[i]!.down);
      rows[i]!.idlePerMin = (bytes * 60) / IDLE_S;
    });
  }
} finally {
  for (const { receiver, proxy } of open) {
    await receiver.close();
    await proxy.close();
  }
  sender.close();
  await h.stop();
}

// ---- Report ------------------------------------------------------------------

const r = (x: number) => String(Math.round(x));
const table = [
  "| transport | received per message | HTTP headers | framing and envelope | payload (message JSON) | overhead share | sent per message | idle, bytes per minute |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map(
    (row) =>
      `| ${row.name}${row.note ? ` (${row.note})` : ""} | ${r(row.received)} | ${r(row.headers)} | ${r(row.received - row.headers - row.payload)} | ` +
      `${r(row.payload)} | ${Math.round(((row.received - row.payload) / row.received) * 100)} % | ${r(row.sent)} | ` +
      `${row.idlePerMin === undefined ? "not measured" : r(row.idlePerMin)} |`,
  ),
  "",
  `Bytes per delivered message, averaged over ${N} messages per transport, each delivered on its own; ` +
    `measured by \`npx tsx bench/transport-overhead.ts\` through a byte-counting TCP proxy on 127.0.0.1 ` +
    `(Node ${process.versions.node}, Node clients). Idle: ${IDLE_S} s connected with no messages, both directions.`,
].join("\n");

console.log(table);

if (args.write) {
  const doc = readFileSync(DOC, "utf8");
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start === -1 || end < start) throw new Error(`${DOC} has no ${START} ... ${END} markers`);
  writeFileSync(DOC, `${doc.slice(0, start + START.length)}\n${table}\n${doc.slice(end)}`);
  console.error(`wrote the table into ${path.relative(process.cwd(), DOC)}`);
}
