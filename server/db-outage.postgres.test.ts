/**
 * The database goes away mid-run: sends are answered `unavailable` (never a
 * false ack, nothing half-stored), and when the database is back the same
 * server serves again by itself, with no restart; a message retried with its
 * clientId is stored once.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, it } from "node:test";
import pg from "pg";
import { postgresAdminUrl } from "../prisma/scripts/scratch-pg";
import { connectClient, connected, joinAsGuest, requirePostgres, startServer, type Harness } from "./test/harness";

// Every await before the first describe: the runner (--test-force-exit) ends a file once the tests it knows of are done.
const pgSkip = await requirePostgres();

describe("PostgreSQL unavailable mid-run", { skip: pgSkip }, () => {
  let h: Harness | undefined;
  const admin = new pg.Client({ connectionString: postgresAdminUrl() });
  let database = "";

  after(async () => {
    if (database) await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`).catch(() => {});
    await admin.end().catch(() => {});
    await h?.stop();
  });

  it("answers unavailable while it is gone, stores nothing twice, and recovers by itself", async () => {
    h = await startServer({ db: "postgresql" });
    database = decodeURIComponent(new URL(h.dbUrl).pathname.slice(1));
    await admin.connect();
    const client = connectClient(h.url, await joinAsGuest(h.url, "Through the outage"));
    await connected(client);
    assert.ok((await client.emitWithAck("room:join", { room: "general" })).ok);

    await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]);

    const clientId = randomUUID();
    const during = await client.timeout(20_000).emitWithAck("message:send", { room: "general", clientId, body: "sent during the outage" });
    assert.equal(during.ok, false, "no ack for a message the database does not hold");
    assert.equal(!during.ok && during.error.code, "unavailable");
    assert.equal((await fetch(`${h.url}/api/ready`)).status, 503);

    await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
    // The client's outbox re-sends with the same clientId; the server is back without a restart.
    let retried: Awaited<ReturnType<typeof client.emitWithAck<"message:send">>> | undefined;
    for (let i = 0; i < 20 && !retried?.ok; i++) {
      const ack = await client.timeout(20_000).emitWithAck("message:send", { room: "general", clientId, body: "sent during the outage" });
      retried = ack;
      if (!ack.ok) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(retried?.ok, JSON.stringify(retried));
    const again = await client.emitWithAck("message:send", { room: "general", clientId, body: "sent during the outage" });
    assert.ok(again.ok && retried?.ok && again.message.id === retried.message.id, "stored once");
    assert.equal((await fetch(`${h.url}/api/ready`)).status, 200);
    client.close();
  });
});
