/**
 * Several real nodes (separate processes on loopback ports) sharing one
 * database and one Redis: one chat. People on either node see each other on
 * every transport, live and in presence; a node killed mid-traffic loses
 * nothing; a Redis outage delays cross-node delivery but loses nothing; and
 * Socket.IO's polling transport needs a sticky balancer, which is why the
 * deployment configs set one.
 *
 * Redis is reached through a TCP proxy so that an outage can be played
 * without touching the machine's Redis.
 */
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { io as connect } from "socket.io-client";
import type { Message } from "./contract";
import { clusterDatabase } from "./test/databases";
import { balancer, redisOrSkip, redisPrefix, REDIS_URL, startNode, tcpProxy, type NodeProcess } from "./test/cluster";
import { longPollFollower, socketFollower, sseFollower, until, wsFollower, type Follower } from "./test/followers";
import { connectClient, connected, joinAsGuest, nextEvent, requirePostgres, type Client } from "./test/harness";

// Both services are required in CI (CI=true): these throw there; elsewhere they print why and skip.
const skip = (await requirePostgres()) || (await redisOrSkip());

describe("a cluster of nodes: PostgreSQL, Redis, separate processes", { skip: skip || false }, () => {
  let db: Awaited<ReturnType<typeof clusterDatabase>>;
  let prefix: ReturnType<typeof redisPrefix>;
  let redisProxy: Awaited<ReturnType<typeof tcpProxy>>;
  let env: Record<string, string>;
  const nodes: NodeProcess[] = [];
  const closers: (() => unknown)[] = [];

  const addNode = async (name: string) => {
    const node = await startNode({ ...env, NODE_ID: name });
    nodes.push(node);
    return node;
  };

  before(async () => {
    db = await clusterDatabase();
    prefix = redisPrefix();
    const redis = new URL(REDIS_URL);
    redisProxy = await tcpProxy(Number(redis.port || 6379), redis.hostname);
    env = {
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
      REDIS_PREFIX: prefix.prefix,
      // One secret for all nodes: a session made on one is good on the others.
      BETTER_AUTH_SECRET: randomBytes(32).toString("hex"),
    };
  });

  after(async () => {
    for (const close of closers) await close();
    for (const node of nodes) await node.kill();
    await redisProxy?.close();
    await prefix?.cleanup();
    await db?.drop();
  });

  const head = async (url: string, cookie: string) =>
    ((await (await fetch(`${url}/api/rooms/general/messages?after=0&wait=0`, { headers: { cookie } })).json()) as { head: number }).head;

  it("is one chat: each transport on each node hears what was said on the other", async () => {
    const a = await addNode("node-a");
    const b = await addNode("node-b");
    for (const n of [a, b]) {
      const health = (await (await fetch(`${n.url}/api/health`)).json()) as { bus: string; node: string };
      assert.equal(health.bus, "redis");
      assert.equal(health.node, n.nodeId);
    }
    const sender = { a: connectClient(a.url, await joinAsGuest(a.url, "Ann")), b: connectClient(b.url, await joinAsGuest(b.url, "Ben")) };
    await Promise.all([connected(sender.a), connected(sender.b)]);
    closers.push(() => sender.a.close(), () => sender.b.close());
    for (const s of [sender.a, sender.b]) assert.ok((await s.emitWithAck("room:join", { room: "general" })).ok);

    const followersOn = async (url: string, tag: string) => {
      const cookie = await joinAsGuest(url, `Watcher ${tag}`);
      const start = await head(url, cookie);
      const list: Follower[] = [
        await socketFollower(url, await joinAsGuest(url, `sio-ws ${tag}`), "websocket"),
        await socketFollower(url, await joinAsGuest(url, `sio-poll ${tag}`), "polling"),
        sseFollower(url, start),
        longPollFollower(url, cookie, start),
        await wsFollower(url, await joinAsGuest(url, `native ${tag}`)),
      ];
      for (const f of list) closers.push(() => f.close());
      return { list, start };
    };
    const onA = await followersOn(a.url, "A");
    const onB = await followersOn(b.url, "B");
    await new Promise((r) => setTimeout(r, 200)); // the SSE streams and long-polls are open

    const sent: Message[] = [];
    for (let i = 0; i < 10; i++) {
      const from = i % 2 ? sender.b : sender.a;
      const ack = await from.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: `cross ${i}` });
      assert.ok(ack.ok);
      sent.push(ack.message);
    }
    const expected = sent.map((m) => m.seq);
    for (const [where, group] of [["node A", onA], ["node B", onB]] as const) {
      await until(() => group.list.every((f) => f.seqs().filter((s) => s > group.start).length >= expected.length), 10_000);
      for (const f of group.list) {
        assert.deepEqual(f.seqs().filter((s) => s > group.start), expected, `${f.name} on ${where}: both nodes' messages, once, in order`);
      }
    }
  });

  it("shows who is online on every node, and drops a killed node's users within the TTL", async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const c = await addNode("node-c");
    const watcher = connectClient(a.url, await joinAsGuest(a.url, "Presence watcher"));
    await connected(watcher);
    closers.push(() => watcher.close());
    assert.ok((await watcher.emitWithAck("room:join", { room: "general" })).ok);

    const doomed = connectClient(c.url, await joinAsGuest(c.url, "On C"), { reconnection: false } as never);
    await connected(doomed);
    const seen = nextEvent(watcher, "presence", (p) => p.joined.some((u) => u.name === "On C"), 5000);
    const joined = await doomed.emitWithAck("room:join", { room: "general" });
    assert.ok(joined.ok);
    const onC = (await seen).joined.find((u) => u.name === "On C")!;
    // A third node's view, and a join answer's full list, include people from the other nodes.
    const fromB = connectClient(b.url, await joinAsGuest(b.url, "On B"));
    await connected(fromB);
    closers.push(() => fromB.close());
    const bJoin = await fromB.emitWithAck("room:join", { room: "general" });
    assert.ok(bJoin.ok);
    assert.ok(bJoin.online.some((u) => u.name === "On C") && bJoin.online.some((u) => u.name === "Presence watcher"));

    const killedAt = Date.now();
    const gone = nextEvent(watcher, "presence", (p) => p.left.includes(onC.id), 30_000);
    await c.kill();
    await gone;
    const after = Date.now() - killedAt;
    assert.ok(after < 30_000, `gone after ${after} ms`);
    const rooms = (await (await fetch(`${b.url}/api/rooms`, { headers: { cookie: await joinAsGuest(b.url, "Counter") } })).json()) as {
      rooms: { slug: string; online: number }[];
    };
    assert.ok(rooms.rooms.find((r) => r.slug === "general")!.online >= 2);
    doomed.close();
  });

  it("loses nothing when a node is killed mid-traffic: its clients resume on another node", async () => {
    const b = nodes[1]!;
    const victim = await addNode("node-victim");
    const cookie = await joinAsGuest(victim.url, "Resilient");
    const watcherCookie = await joinAsGuest(b.url, "Observer");
    const start = await head(b.url, watcherCookie);
    const observer = await socketFollower(b.url, watcherCookie, "websocket");
    closers.push(() => observer.close());

    // The sender knows both addresses and moves to the survivor when its node dies.
    const acked: Message[] = [];
    let client: Client = connectClient(victim.url, cookie);
    await connected(client);
    let failedOver = false;
    const sendLoop = (async () => {
      for (let i = 0; i < 60; i++) {
        const clientId = randomUUID();
        for (;;) {
          try {
            const ack = await client.timeout(2000).emitWithAck("message:send", { room: "general", clientId, body: `resilient ${i}` });
            if (ack.ok) {
              acked.push(ack.message);
              break;
            }
          } catch {
            // No answer: the node is gone. Reconnect elsewhere and retry with the same clientId.
          }
          if (!client.connected) {
            client.close();
            client = connectClient(b.url, cookie);
            await connected(client);
            failedOver = true;
          }
        }
      }
    })();
    await until(() => acked.length >= 20, 10_000);
    await victim.kill();
    await sendLoop;
    client.close();
    assert.ok(failedOver, "the sender had to move");

    const mine = await until(() => observer.seqs().filter((s) => s > start).length >= acked.length, 10_000);
    assert.ok(mine);
    const ids = new Set(acked.map((m) => m.id));
    assert.equal(ids.size, 60, "every message acknowledged once");
    const stored = ((await (await fetch(`${b.url}/api/rooms/general/messages?limit=200`, { headers: { cookie: watcherCookie } })).json()) as { messages: Message[] })
      .messages.filter((m) => m.body.startsWith("resilient "));
    assert.equal(stored.length, 60, "each stored once");
    const seen = observer.seqs().filter((s) => s > start);
    assert.deepEqual(seen, [...seen].sort((x, y) => x - y), "in order");
    assert.equal(new Set(seen).size, seen.length, "no duplicate");
    for (const m of acked) assert.ok(seen.includes(m.seq), `seq ${m.seq} reached the other node`);
  });

  it("rides out a 10 s Redis outage: acks stay honest, delivery comes back, the gap is filled", async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const sender = connectClient(a.url, await joinAsGuest(a.url, "Through the storm"));
    await connected(sender);
    closers.push(() => sender.close());
    const watcherCookie = await joinAsGuest(b.url, "Far away");
    const start = await head(b.url, watcherCookie);
    const far = await socketFollower(b.url, watcherCookie, "websocket");
    const farSse = sseFollower(b.url, start);
    closers.push(() => far.close(), () => farSse.close());
    await new Promise((r) => setTimeout(r, 200));

    const acked: Message[] = [];
    const send = async (i: number) => {
      const ack = await sender.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: `storm ${i}` });
      assert.ok(ack.ok, JSON.stringify(ack));
      acked.push(ack.message);
    };
    for (let i = 0; i < 5; i++) await send(i);
    redisProxy.cut();
    const cutAt = Date.now();
    for (let i = 5; i < 25; i++) {
      await send(i);
      await new Promise((r) => setTimeout(r, 400));
    }
    while (Date.now() - cutAt < 10_000) await new Promise((r) => setTimeout(r, 100));
    redisProxy.restore();
    for (let i = 25; i < 30; i++) await send(i);

    const expected = acked.map((m) => m.seq);
    for (const f of [far, farSse]) {
      await until(() => expected.every((s) => f.seqs().includes(s)), 15_000);
      const got = f.seqs().filter((s) => s > start);
      assert.deepEqual(got, expected, `${f.name} on the other node: all 30, once, in order`);
    }
  });

  it("needs sticky sessions for Socket.IO polling: round-robin fails, sticky works", async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const cookie = await joinAsGuest(a.url, "Poller");
    const tryThrough = async (mode: "round-robin" | "sticky") => {
      const lb = await balancer([a.port, b.port], mode);
      closers.push(() => lb.close());
      const client = connect(lb.url, { transports: ["polling"], extraHeaders: { cookie }, reconnection: false, forceNew: true });
      try {
        await connected(client);
        // A few round trips: each poll is a new request the balancer may send elsewhere.
        for (let i = 0; i < 5; i++) {
          const ack = await client.timeout(3000).emitWithAck("room:join", { room: "general" });
          if (!ack.ok) return `join failed: ${ack.error.code}`;
        }
        return client.connected ? "ok" : "disconnected";
      } catch (err) {
        return `error: ${(err as Error).message}`;
      } finally {
        client.close();
      }
    };
    // What a node says to a poll for a session another node opened.
    const open = await fetch(`${a.url}/socket.io/?EIO=4&transport=polling`, { headers: { cookie } });
    const sid = (JSON.parse((await open.text()).slice(1)) as { sid: string }).sid;
    const elsewhere = await fetch(`${b.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { headers: { cookie } });
    assert.equal(elsewhere.status, 400);
    assert.match(await elsewhere.text(), /Session ID unknown/);

    const roundRobin = await tryThrough("round-robin");
    assert.notEqual(roundRobin, "ok", "without stickiness the session id is unknown on the other node");
    assert.equal(await tryThrough("sticky"), "ok");
  });
});
