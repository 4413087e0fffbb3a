/**
 * The load itself: subscriber sets and senders per server kind, a paced
 * fan-out step, the connect storm, and the delivery accounting shared by
 * all of them.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { HOST, httpPoster, sioConnect, sseConnect, wsConnect, type OnDelivery, type SioClient } from "./clients";
import { makeBody, readMarker } from "./frames";
import { procCpuUs, procRss } from "./procs";
import { Histogram } from "./stats";

export type Kind = "relay" | "socketio" | "ws" | "relay-sse" | "sse";
export const ROOM = "general";
/** Connections that send, round-robin (a busy room has many senders; each also receives, uncounted). */
export const SENDERS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- Delivery accounting -------------------------------------------------------------

interface Phase {
  first: number;
  counts: Uint16Array;
  hist: Histogram;
  /** Deliveries within the step and its drain time. */
  received: number;
  /** Counting for latency and `received` (the step and its drain); later arrivals only count as late. */
  open: boolean;
  subscribers: number;
  missingAtDrain: number;
}
/** The steps of the current ramp: a delivery after its step's drain still arrives, late, not lost. */
let phases: Phase[] = [];
let nextId = 1;

/** Every subscriber's frames with a bench body come here. */
export const onDelivery: OnDelivery = (buf, from, to) => {
  if (!phases.length) return;
  const m = readMarker(buf, from, to);
  if (!m) return;
  for (let k = phases.length - 1; k >= 0; k--) {
    const p = phases[k]!;
    const i = m.id - p.first;
    if (i < 0) continue;
    if (i >= p.counts.length) return;
    p.counts[i]!++;
    if (p.open) {
      p.received++;
      p.hist.record(performance.now() - m.sentAt);
    }
    return;
  }
};

/** Messages the server refused (an error ack): never stored, so not expected anywhere. */
const refused = new Set<number>();

const missing = (p: Phase) => {
  let n = 0;
  for (let i = 0; i < p.counts.length; i++) if (p.counts[i]! < p.subscribers && !refused.has(p.first + i)) n += p.subscribers - p.counts[i]!;
  return n;
};

/** Starts a ramp: forgets earlier steps. */
export function beginRamp(): void {
  phases = [];
  refused.clear();
}

/**
 * Ends a ramp: waits for the deliveries that missed their drain time, up to
 * `maxMs`, until every send has its ack (the server has dealt with it) and
 * then nothing has arrived for 2 s. Returns, per step in order, how many
 * deliveries had still not arrived.
 */
export async function endRamp(maxMs: number, outstandingAcks: () => number = () => 0): Promise<number[]> {
  const deadline = performance.now() + maxMs;
  let last = phases.reduce((n, p) => n + missing(p), 0);
  let quietSince = performance.now();
  while (last > 0 && performance.now() < deadline && (outstandingAcks() > 0 || performance.now() - quietSince < 2000)) {
    await sleep(100);
    const now = phases.reduce((n, p) => n + missing(p), 0);
    if (now !== last) quietSince = performance.now();
    last = now;
  }
  const lost = phases.map(missing);
  phases = [];
  return lost;
}

/** Runs `fn(i)` for i < n with at most `concurrency` in flight; returns the failures' count and first error. */
export async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<{ failed: number; firstError?: string }> {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      try {
        await fn(i);
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker));
  return { failed, ...(firstError ? { firstError } : {}) };
}

// ---- Relay's sign-in ---------------------------------------------------------------------

/** A guest session, the way the browser gets one: POST /api/auth/sign-in/anonymous, keep the cookie. */
export async function guestCookie(port: number, name: string): Promise<string> {
  const url = `http://${HOST}:${port}`;
  const res = await fetch(`${url}/api/auth/sign-in/anonymous`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ name }),
  });
  if (!res.ok) throw new Error(`guest sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  if (!cookie) throw new Error("guest sign-in set no cookie");
  return cookie;
}

export async function guestCookies(port: number, n: number, tag: string): Promise<string[]> {
  const cookies: string[] = new Array(n);
  const r = await pool(n, 8, async (i) => {
    cookies[i] = await guestCookie(port, `Bench ${tag} ${i}`);
  });
  if (r.failed) throw new Error(`${r.failed} of ${n} guest sign-ins failed: ${r.firstError}`);
  return cookies;
}

async function relayJoined(port: number, cookie: string, withDeliveries: boolean, timeoutMs: number): Promise<SioClient> {
  const c = await sioConnect(port, { cookie, timeoutMs, ...(withDeliveries ? { deliveryPrefix: '42["message:new",', onDelivery } : {}) });
  const ack = await c.emitWithAck<{ ok: boolean; error?: { message: string } }>("room:join", { room: ROOM }, timeoutMs);
  if (!ack.ok) {
    c.close();
    throw new Error(`room:join refused: ${ack.error?.message}`);
  }
  return c;
}

// ---- Fan-out -------------------------------------------------------------------------------

export interface Fanout {
  kind: Kind;
  subscribers: number;
  send(id: number, size: number): void;
  /** send→ack latencies (Relay only); `outstanding` counts sends whose ack has not come back yet. */
  acks?: { hist: Histogram; errors: number; firstError?: string; outstanding: number };
  close(): void;
}

/**
 * `subs` subscribers and SENDERS senders, connected and joined. For Relay
 * each sender is a guest of its own (cookies[subs + i]); on SSE kinds the
 * subscribers are event streams and the senders stay on Socket.IO (Relay)
 * or POST (bare SSE).
 */
export async function openFanout(kind: Kind, port: number, subs: number, cookies: string[] = []): Promise<Fanout> {
  const closers: (() => void)[] = [];
  const connectOne = async (i: number) => {
    switch (kind) {
      case "relay": {
        const c = await relayJoined(port, cookies[i]!, true, 60_000);
        closers.push(() => c.close());
        return;
      }
      case "socketio": {
        const c = await sioConnect(port, { deliveryPrefix: '42["chat message",', onDelivery });
        closers.push(() => c.close());
        return;
      }
      case "ws": {
        const c = await wsConnect(port, "/");
        c.onMessage = (p) => onDelivery(p, 0, p.length);
        closers.push(() => c.close());
        return;
      }
      case "relay-sse": {
        const c = await sseConnect(port, `/api/rooms/${ROOM}/feed`, onDelivery, { Cookie: cookies[i]! });
        closers.push(() => c.close());
        return;
      }
      case "sse": {
        const c = await sseConnect(port, "/events", onDelivery);
        closers.push(() => c.close());
        return;
      }
    }
  };
  const r = await pool(subs, 50, connectOne);
  if (r.failed) {
    for (const c of closers) c();
    throw new Error(`${kind}: ${r.failed} of ${subs} subscribers failed to connect: ${r.firstError}`);
  }
  const close = () => {
    for (const c of closers) c();
  };
  const rr = <T>(xs: T[]) => {
    let i = 0;
    return () => xs[i++ % xs.length]!;
  };
  if (kind === "relay" || kind === "relay-sse") {
    const senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => relayJoined(port, cookies[subs + i]!, false, 60_000)));
    for (const c of senders) closers.push(() => c.close());
    const next = rr(senders);
    const acks = { hist: new Histogram(), errors: 0, outstanding: 0 } as NonNullable<Fanout["acks"]>;
    return {
      kind,
      subscribers: subs,
      acks,
      send(id, size) {
        const t0 = performance.now();
        acks.outstanding++;
        next().emitRawAck("message:send", { room: ROOM, clientId: randomUUID(), body: makeBody(id, t0, size) }, (raw) => {
          acks.outstanding--;
          acks.hist.record(performance.now() - t0);
          if (raw.indexOf('"ok":true') === -1) {
            refused.add(id);
            acks.errors++;
            acks.firstError ??= raw.toString().slice(0, 200);
          }
        });
      },
      close,
    };
  }
  if (kind === "socketio") {
    const senders = await Promise.all(Array.from({ length: SENDERS }, () => sioConnect(port)));
    for (const c of senders) closers.push(() => c.close());
    const next = rr(senders);
    return { kind, subscribers: subs, send: (id, size) => next().emit("chat message", makeBody(id, performance.now(), size)), close };
  }
  if (kind === "ws") {
    const senders = await Promise.all(Array.from({ length: SENDERS }, () => wsConnect(port, "/")));
    for (const c of senders) closers.push(() => c.close());
    const next = rr(senders);
    return { kind, subscribers: subs, send: (id, size) => next().send(makeBody(id, performance.now(), size)), close };
  }
  const posters = await Promise.all(Array.from({ length: SENDERS }, () => httpPoster(port)));
  for (const c of posters) closers.push(() => c.close());
  const next = rr(posters);
  return { kind, subscribers: subs, send: (id, size) => next().post("/send", makeBody(id, performance.now(), size)), close };
}

export interface StepResult {
  rate: number;
  seconds: number;
  sent: number;
  expected: number;
  delivered: number;
  /** Deliveries that had not arrived by the end of the step's drain time (late or lost). */
  missingAtDrain: number;
  /** Of those, the ones that never arrived (filled in at the end of the ramp). */
  lost: number;
  duplicates: number;
  p50: number;
  p99: number;
  max: number;
  /** Server CPU (utime+stime) over the step, per delivered message. */
  serverCpuUsPerDelivery: number;
  /** Share of one core the server used while the step ran. */
  serverCpuShare: number;
  /** Share of one core the generator used while the step ran; above 0.9 the figure may be the generator's. */
  generatorCpuShare: number;
  generatorBound: boolean;
  /** send→ack latency; `errors` are refusals (not stored, not expected), `missing` acks not back within the drain time. */
  ack?: { p50: number; p99: number; errors: number; missing: number; firstError?: string };
}

/**
 * Sends `rate` messages a second for `seconds` (paced by the clock, not by
 * replies), then waits up to `drainMs` for every delivery. A message still
 * missing at a subscriber after that counts as lost.
 */
export async function step(f: Fanout, pid: number, rate: number, seconds: number, size: number, drainMs: number): Promise<StepResult> {
  const total = Math.max(1, Math.round(rate * seconds));
  const first = nextId;
  nextId += total;
  const p: Phase = { first, counts: new Uint16Array(total), hist: new Histogram(), received: 0, open: true, subscribers: f.subscribers, missingAtDrain: 0 };
  f.acks?.hist.reset();
  if (f.acks) {
    f.acks.errors = 0;
    delete f.acks.firstError;
  }
  phases.push(p);
  const cpu0 = procCpuUs(pid);
  const gen0 = process.cpuUsage();
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      while (sent < due) f.send(first + sent++, size);
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const expected = total * f.subscribers;
  const deadline = performance.now() + drainMs;
  while ((p.received < expected || (f.acks && f.acks.hist.count < total)) && performance.now() < deadline) await sleep(10);
  const wall = performance.now() - start;
  const cpu1 = procCpuUs(pid);
  const gen = process.cpuUsage(gen0);
  p.open = false;
  const lost = missing(p);
  let duplicates = 0;
  for (const c of p.counts) if (c > f.subscribers) duplicates += c - f.subscribers;
  p.missingAtDrain = lost;
  const generatorCpuShare = (gen.user + gen.system) / 1000 / wall;
  return {
    rate,
    seconds,
    sent: total,
    expected,
    delivered: p.received,
    missingAtDrain: lost,
    lost,
    duplicates,
    p50: p.hist.percentile(0.5),
    p99: p.hist.percentile(0.99),
    max: p.hist.max,
    serverCpuUsPerDelivery: p.received ? (cpu1 - cpu0) / p.received : NaN,
    serverCpuShare: (cpu1 - cpu0) / 1000 / wall,
    generatorCpuShare,
    generatorBound: generatorCpuShare > 0.9,
    ...(f.acks
      ? { ack: { p50: f.acks.hist.percentile(0.5), p99: f.acks.hist.percentile(0.99), errors: f.acks.errors, missing: Math.max(0, total - f.acks.hist.count), ...(f.acks.firstError ? { firstError: f.acks.firstError } : {}) } }
      : {}),
  };
}

// ---- The connect storm -----------------------------------------------------------------------

export interface StormResult {
  clients: number;
  joined: number;
  failed: number;
  firstError?: string;
  seconds: number;
  rssBefore: number;
  rssAfter: number;
  /** (RSS with every client idle and joined − RSS before) / clients, in bytes. */
  rssPerConnection: number;
  generatorCpuShare: number;
}

/**
 * `n` clients connect (and, on Relay, join the room) at once, at most
 * `concurrency` handshakes in flight; the clock stops when the last is
 * joined. They then stay idle for `idleMs` before the server's RSS is read.
 */
export async function storm(
  kind: "relay" | "socketio" | "ws",
  port: number,
  pid: number,
  n: number,
  cookies: string[],
  opts: { concurrency: number; timeoutMs: number; idleMs: number; deadlineMs: number },
): Promise<StormResult> {
  const open: { close(): void }[] = [];
  await sleep(2000);
  const rssBefore = procRss(pid);
  const gen0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + opts.deadlineMs;
  const r = await pool(n, opts.concurrency, async (i) => {
    if (performance.now() > deadline) throw new Error(`not started: the storm passed its ${opts.deadlineMs / 1000} s deadline`);
    if (kind === "relay") open.push(await relayJoined(port, cookies[i]!, false, opts.timeoutMs));
    else if (kind === "socketio") open.push(await sioConnect(port, { timeoutMs: opts.timeoutMs }));
    else open.push(await wsConnect(port, "/", {}, opts.timeoutMs));
  });
  const seconds = (performance.now() - start) / 1000;
  const gen = process.cpuUsage(gen0);
  await sleep(opts.idleMs);
  const rssAfter = procRss(pid);
  for (const c of open) c.close();
  await sleep(300);
  return {
    clients: n,
    joined: open.length,
    failed: r.failed,
    ...(r.firstError ? { firstError: r.firstError } : {}),
    seconds,
    rssBefore,
    rssAfter,
    rssPerConnection: open.length ? (rssAfter - rssBefore) / open.length : NaN,
    generatorCpuShare: (gen.user + gen.system) / 1000 / (seconds * 1000),
  };
}

// ---- History and resume --------------------------------------------------------------------

export interface LatencyResult {
  requests: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

/** `n` sequential GETs of `path(i)` with the cookie; the latency of each whole response. */
export async function httpLatency(port: number, cookie: string, n: number, path: (i: number) => string, check: (body: string) => boolean): Promise<LatencyResult> {
  const times: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(`http://${HOST}:${port}${path(i)}`, { headers: { cookie } });
    const body = await res.text();
    times.push(performance.now() - t0);
    if (!res.ok || !check(body)) errors++;
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
  return { requests: n, p50: at(0.5), p99: at(0.99), max: times.at(-1)!, errors };
}

/**
 * Waits until the server is quiet (under `share` of a core over a second),
 * at most `maxMs`, so that one part's aftermath (a storm's leaves, a ramp's
 * backlog) does not land in the next part's figures. Returns the seconds waited.
 */
export async function waitIdle(pid: number, maxMs: number, share = 0.15): Promise<number> {
  const start = performance.now();
  for (;;) {
    const c0 = procCpuUs(pid);
    await sleep(1000);
    const used = (procCpuUs(pid) - c0) / 1e6;
    if (used < share || performance.now() - start > maxMs) return (performance.now() - start) / 1000;
  }
}
