/**
 * The operations figures on both of their outlets: GET /api/admin/stats (the
 * admin page polls it; admins only) and GET /metrics (Prometheus; optional
 * bearer token). Real clients on each transport, then the numbers they cause.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { OpsStats } from "./ops/stats";
import { connectClient, connected, joinAsGuest, register, startServer, type Client, type Harness } from "./test/harness";

let h: Harness;
let adminCookie: string;
let memberCookie: string;
let guestCookie: string;
const clients: Client[] = [];
const streams: AbortController[] = [];

async function stats(cookie = adminCookie): Promise<OpsStats> {
  const res = await fetch(`${h.url}/api/admin/stats`, { headers: { cookie } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  return (await res.json()) as OpsStats;
}

/** Polls until `check` passes: connection counts settle asynchronously. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) assert.fail(`condition not met; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A Prometheus sample's value, e.g. sample(text, 'relay_connections{transport="sse"'). */
function sample(text: string, prefix: string): number {
  const line = text.split("\n").find((l) => l.startsWith(prefix));
  assert.ok(line, `no sample ${prefix} in:\n${text}`);
  return Number(line.slice(line.lastIndexOf(" ") + 1));
}

const metrics = async (headers: HeadersInit = {}) => fetch(`${h.url}/metrics`, { headers });

before(async () => {
  h = await startServer({ env: { NODE_ID: "node-a" } });
  adminCookie = await register(h.url, "boss"); // first registered account: admin
  memberCookie = await register(h.url, "alice");
  guestCookie = await joinAsGuest(h.url, "Gus");
  const ws = connectClient(h.url, adminCookie, { transports: ["websocket"] });
  const polling = connectClient(h.url, memberCookie, { transports: ["polling"] });
  clients.push(ws, polling);
  await Promise.all([connected(ws), connected(polling)]);
  for (const c of clients) assert.ok((await c.emitWithAck("room:join", { room: "general" })).ok);
});

after(async () => {
  for (const c of clients) c.close();
  for (const s of streams) s.abort();
  await h?.stop();
});

describe("GET /api/admin/stats", () => {
  it("is for admins only: 401 signed out, 403 for members and guests, 405 for other methods", async () => {
    assert.equal((await fetch(`${h.url}/api/admin/stats`)).status, 401);
    assert.equal((await fetch(`${h.url}/api/admin/stats`, { headers: { cookie: memberCookie } })).status, 403);
    assert.equal((await fetch(`${h.url}/api/admin/stats`, { headers: { cookie: guestCookie } })).status, 403);
    const post = await fetch(`${h.url}/api/admin/stats`, { method: "POST", headers: { cookie: adminCookie, origin: h.url } });
    assert.equal(post.status, 405);
  });

  it("counts Socket.IO sockets by transport and SSE subscribers from the hub", async () => {
    const feed = new AbortController();
    streams.push(feed);
    const res = await fetch(`${h.url}/api/rooms/general/feed`, { signal: feed.signal });
    assert.equal(res.status, 200);
    const s = await eventually(stats, (s) => s.connections.sse === 1);
    assert.deepEqual(s.connections.socketio, { websocket: 1, polling: 1 });
    assert.equal(s.connections.longpoll, 0);
    assert.equal(s.connections.ws, 0);
    assert.equal(s.connections.total, 3);

    feed.abort();
    await eventually(stats, (s) => s.connections.sse === 0);
  });

  it("shows who is online per room, the node, memory, uptime and event-loop lag", async () => {
    const s = await stats();
    assert.deepEqual(s.rooms, [{ slug: "general", name: s.rooms[0]!.name, online: 2, visibility: "public" }]);
    assert.equal(s.onlineUsers, 2);
    assert.equal(s.node.id, "node-a");
    assert.equal(s.node.version, "test");
    assert.ok(s.node.uptimeSeconds >= 0);
    assert.ok(s.memory.rssBytes > s.memory.heapUsedBytes && s.memory.heapUsedBytes > 0);
    assert.ok(s.eventLoop.p99Ms >= s.eventLoop.p50Ms && s.eventLoop.p50Ms >= 0);
  });

  it("counts stored messages per minute with their persist latency", async () => {
    const before = await stats();
    assert.equal(before.messages.perMinute.length, 60);
    const clientId = randomUUID();
    for (const body of ["one", "two", "three"]) {
      const ack = await clients[0]!.emitWithAck("message:send", { room: "general", clientId: body === "one" ? clientId : randomUUID(), body });
      assert.ok(ack.ok, JSON.stringify(ack));
    }
    // A retried send is the same message: not stored again, not counted.
    assert.ok((await clients[0]!.emitWithAck("message:send", { room: "general", clientId, body: "one" })).ok);

    const s = await stats();
    assert.equal(s.messages.total, before.messages.total + 3);
    assert.equal(s.messages.perMinute.reduce((a, b) => a + b, 0), before.messages.perMinute.reduce((a, b) => a + b, 0) + 3);
    assert.ok(s.messages.latency.samples >= 3);
    assert.ok(s.messages.latency.p50Ms > 0 && s.messages.latency.p99Ms >= s.messages.latency.p50Ms);
  });
});

describe("GET /metrics", () => {
  it("serves default process metrics and Relay's figures in Prometheus text format", async () => {
    const res = await metrics();
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of ["process_cpu_user_seconds_total", "process_resident_memory_bytes", "nodejs_heap_size_used_bytes", "nodejs_eventloop_lag_p99_seconds"]) {
      assert.match(text, new RegExp(`^${name}\\{node="node-a"\\} `, "m"), name);
    }
    assert.equal(sample(text, 'relay_connections{transport="socketio_websocket",node="node-a"}'), 1);
    assert.equal(sample(text, 'relay_connections{transport="socketio_polling",node="node-a"}'), 1);
    assert.equal(sample(text, 'relay_connections{transport="sse",node="node-a"}'), 0);
    assert.equal(sample(text, 'relay_room_online_users{room="general",node="node-a"}'), 2);
    assert.equal(sample(text, 'relay_online_users{node="node-a"}'), 2);
    assert.match(text, /^# TYPE relay_message_persist_seconds histogram$/m);
  });

  it("counts each stored message once, in the counter and the latency histogram", async () => {
    const before = await (await metrics()).text();
    const ack = await clients[1]!.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "over polling" });
    assert.ok(ack.ok);
    const text = await (await metrics()).text();
    assert.equal(sample(text, "relay_messages_total"), sample(before, "relay_messages_total") + 1);
    assert.equal(sample(text, "relay_message_persist_seconds_count"), sample(before, "relay_message_persist_seconds_count") + 1);
    assert.equal(sample(text, 'relay_message_persist_seconds_bucket{le="+Inf"'), sample(text, "relay_message_persist_seconds_count"));
  });

  it("drops a room from the gauge once nobody is online in it", async () => {
    for (const c of clients) assert.ok((await c.emitWithAck("room:leave", { room: "general" })).ok);
    const text = await (await metrics()).text();
    assert.doesNotMatch(text, /^relay_room_online_users\{room="general"/m);
    for (const c of clients) assert.ok((await c.emitWithAck("room:join", { room: "general" })).ok);
  });

  it("requires the bearer token when METRICS_TOKEN is set", async () => {
    const token = "s3cret-token-for-scrapers";
    const guarded = await startServer({ env: { METRICS_TOKEN: token } });
    try {
      const get = (headers: HeadersInit = {}) => fetch(`${guarded.url}/metrics`, { headers });
      const none = await get();
      assert.equal(none.status, 401);
      assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
      assert.equal((await get({ authorization: "Bearer wrong" })).status, 401);
      assert.equal((await get({ authorization: `Basic ${token}` })).status, 401);
      const ok = await get({ authorization: `Bearer ${token}` });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /relay_messages_total/);
    } finally {
      await guarded.stop();
    }
  });
});
