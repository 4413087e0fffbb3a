/**
 * The room log's promise on PostgreSQL with several nodes: two app instances
 * on one database, 500 concurrent sends each to one room, plus retries of
 * some of them sent to the other node at the same moment. The seq counter is
 * one row, incremented in each send's transaction and locked until commit
 * (server/services/log.ts), so:
 * - the acks carry seqs 1..1000, each once, and the table holds exactly those;
 * - a retried clientId is stored once, and both of its acks name that message;
 * - at no moment can a reader see a seq whose predecessor is not committed
 *   yet (a poller checks every snapshot during the burst): seq order is
 *   commit order, which is what lets every transport resume from a cursor.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, it } from "node:test";
import pg from "pg";
import { createScratchDatabase, type ScratchDatabase } from "../prisma/scripts/scratch-pg";
import { createApp, type App } from "./app";
import type { Message } from "./contract";
import { parseEnv } from "./env";
import { connectClient, connected, register, requirePostgres, type Client } from "./test/harness";

const PER_NODE = 500;
const USERS = 4;
/** Sends also retried on the other node at once: the P2002 race, across nodes. */
const RETRIED = 50;

// Every await before the first describe: the runner (--test-force-exit) ends a file once the tests it knows of are done.
const pgSkip = await requirePostgres();

describe("seq on PostgreSQL, two nodes", { skip: pgSkip }, () => {
  let db: ScratchDatabase | undefined;
  const apps: App[] = [];
  const clients: Client[] = [];

  after(async () => {
    for (const c of clients) c.close();
    try {
      await Promise.all(apps.map((app) => app.close()));
    } finally {
      await db?.drop();
    }
  });

  it(`2 nodes × ${PER_NODE} concurrent sends to one room: seq 1..${2 * PER_NODE}, no gap, no duplicate, each clientId once`, async () => {
    db = await createScratchDatabase("relay_test");
    const env = parseEnv({ NODE_ENV: "test", DATABASE_URL: db.url, RATE_MESSAGES_MAX: "100000", RATE_SIGNIN_MAX: "100000" });
    // Both start at once, as two nodes of one deployment would.
    apps.push(...(await Promise.all([createApp({ env, version: "test" }), createApp({ env, version: "test" })])));
    const urls = await Promise.all(apps.map(async (app) => `http://127.0.0.1:${await app.listen(0, "127.0.0.1")}`));

    // Accounts made on node A sign in on node B: the secret is shared.
    const cookies = await Promise.all(Array.from({ length: USERS }, (_, i) => register(urls[0]!, `writer${i}`)));
    const sockets = await Promise.all(
      urls.map((url) =>
        Promise.all(
          cookies.map(async (cookie) => {
            const c = connectClient(url, cookie);
            clients.push(c);
            await connected(c);
            return c;
          }),
        ),
      ),
    );

    const roomId = (await apps[0]!.prisma.room.findUniqueOrThrow({ where: { slug: "general" } })).id;
    const poller = new pg.Client({ connectionString: db.url });
    await poller.connect();
    let polling = true;
    let snapshots = 0;
    const holes: string[] = [];
    const poll = (async () => {
      while (polling) {
        const { rows } = await poller.query<{ seq: number }>('SELECT seq FROM message WHERE "roomId" = $1 ORDER BY seq', [roomId]);
        snapshots += 1;
        rows.forEach((r, i) => {
          if (r.seq !== i + 1 && holes.length < 5) holes.push(`seq ${r.seq} visible at position ${i + 1}`);
        });
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    type Send = { node: number; user: number; clientId: string; body: string };
    const sends: Send[] = [];
    for (let node = 0; node < 2; node++) {
      for (let i = 0; i < PER_NODE; i++) sends.push({ node, user: i % USERS, clientId: randomUUID(), body: `node ${node} #${i}` });
    }
    // The same user retries some of node A's sends on node B, at the same time.
    const retries = sends.slice(0, RETRIED).map((s) => ({ ...s, node: 1 }));

    const started = performance.now();
    const acks = await Promise.all(
      [...sends, ...retries].map((s) =>
        sockets[s.node]![s.user]!.timeout(60_000).emitWithAck("message:send", { room: "general", clientId: s.clientId, body: s.body }),
      ),
    );
    const ms = Math.round(performance.now() - started);
    polling = false;
    await poll;
    await poller.end();
    console.log(`${acks.length} sends (${RETRIED} of them retries on the other node) in ${ms} ms; ${snapshots} snapshots read meanwhile`);

    const failed = acks.filter((a) => !a.ok);
    assert.deepEqual(failed.slice(0, 3), [], `${failed.length} sends failed`);
    const messages = acks.map((a) => (a as { ok: true; message: Message }).message);

    // The acks: 1000 distinct messages with seqs 1..1000.
    const first = messages.slice(0, sends.length);
    assert.deepEqual(
      first.map((m) => m.seq).sort((a, b) => a - b),
      Array.from({ length: 2 * PER_NODE }, (_, i) => i + 1),
    );
    // A retry's ack is the original message.
    messages.slice(sends.length).forEach((m, i) => assert.deepEqual(m, first[i], `retry ${i} names the stored message`));
    first.forEach((m, i) => assert.equal(m.clientId, sends[i]!.clientId));

    // The database agrees: one row per clientId, the log and the counter match.
    const prisma = apps[1]!.prisma;
    const rows = await prisma.message.findMany({ where: { roomId }, select: { seq: true, clientId: true }, orderBy: { seq: "asc" } });
    assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 2 * PER_NODE }, (_, i) => i + 1));
    assert.equal(new Set(rows.map((r) => r.clientId)).size, 2 * PER_NODE);
    const log = await prisma.logEvent.findMany({ where: { roomId }, select: { seq: true }, orderBy: { seq: "asc" } });
    assert.deepEqual(log.map((r) => r.seq), rows.map((r) => r.seq));
    assert.equal((await prisma.room.findUniqueOrThrow({ where: { id: roomId } })).lastSeq, 2 * PER_NODE);

    // Never a seq visible before its predecessor.
    assert.ok(snapshots > 1, "the poller read while the sends ran");
    assert.deepEqual(holes, []);
  });
});
