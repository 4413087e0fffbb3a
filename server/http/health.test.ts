/**
 * GET /api/health (what this node is) and GET /api/ready (whether it can
 * serve): the checks' logic on its own, then both endpoints on a real server,
 * then readiness following a PostgreSQL database that stops and starts
 * accepting connections.
 */
import assert from "node:assert/strict";
import os from "node:os";
import { after, describe, it } from "node:test";
import pg from "pg";
import { postgresAdminUrl } from "../../prisma/scripts/scratch-pg";
import { requirePostgres, startServer, testBus, type Harness } from "../test/harness";
import { checkReadiness } from "./health";

// Every await before the first describe: the runner (--test-force-exit) ends a file once the tests it knows of are done.
const pgSkip = await requirePostgres();

describe("readiness checks", () => {
  it("is ready when every check answers, and names the first that does not", async () => {
    const up = await checkReadiness([{ name: "database", run: async () => 1 }]);
    assert.equal(up.ok, true);
    assert.equal(up.reason, undefined);
    assert.equal(up.checks.database?.ok, true);

    const down = await checkReadiness([
      { name: "database", run: async () => 1 },
      { name: "redis", run: async () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6379\n    at detail")) },
    ]);
    assert.equal(down.ok, false);
    assert.equal(down.reason, "redis: connect ECONNREFUSED 127.0.0.1:6379");
    assert.deepEqual(Object.keys(down.checks), ["database", "redis"]);
    assert.equal(down.checks.database?.ok, true);
  });

  it("counts a check that does not answer in time as failed, without waiting for it", async () => {
    const started = Date.now();
    const hung = await checkReadiness([{ name: "database", run: () => new Promise(() => {}) }], 100);
    assert.ok(Date.now() - started < 1_000);
    assert.equal(hung.ok, false);
    assert.equal(hung.reason, "database: no answer within 100 ms");
  });
});

describe("health and readiness endpoints", () => {
  let h: Harness | undefined;
  after(() => h?.stop());

  it("health names the database, the bus and the node; ready answers 200 with its checks", async () => {
    h = await startServer({ env: { NODE_ID: "relay-test-7" } });
    const health = await fetch(`${h.url}/api/health`);
    assert.equal(health.status, 200);
    assert.equal(health.headers.get("cache-control"), "no-store");
    assert.deepEqual(await health.json(), { ok: true, db: h.db, bus: testBus(), node: "relay-test-7", version: "test" });

    const ready = await fetch(`${h.url}/api/ready`);
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { ok: boolean; checks: Record<string, { ok: boolean; ms: number }> };
    assert.equal(body.ok, true);
    assert.deepEqual(Object.keys(body.checks), testBus() === "redis" ? ["database", "redis"] : ["database"]);
    assert.equal(body.checks.database?.ok, true);
    assert.equal(typeof body.checks.database?.ms, "number");
  });

  it("the default node id is hostname-pid", async () => {
    const res = await fetch(`${h!.url}/api/health`);
    assert.ok(res.ok);
    await h!.stop();
    h = await startServer();
    assert.equal(((await (await fetch(`${h.url}/api/health`)).json()) as { node: string }).node, `${os.hostname()}-${process.pid}`);
  });
});

describe("readiness follows PostgreSQL", { skip: pgSkip }, () => {
  let h: Harness | undefined;
  const admin = new pg.Client({ connectionString: postgresAdminUrl() });
  let database = "";

  after(async () => {
    if (database) await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`).catch(() => {});
    await admin.end().catch(() => {});
    await h?.stop();
  });

  it("answers 503 with the reason while the database refuses connections, and 200 again by itself", async () => {
    h = await startServer({ db: "postgresql" });
    database = decodeURIComponent(new URL(h.dbUrl).pathname.slice(1));
    assert.match(database, /^relay_test_/);
    await admin.connect();
    assert.equal((await fetch(`${h.url}/api/ready`)).status, 200);
    assert.equal(((await (await fetch(`${h.url}/api/health`)).json()) as { db: string }).db, "postgresql");

    // The database goes away for this server: no new connections (for
    // superusers too), and the ones it has are closed.
    await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]);
    const down = await fetch(`${h.url}/api/ready`);
    assert.equal(down.status, 503);
    const body = (await down.json()) as { ok: boolean; reason: string; checks: { database: { ok: boolean } } };
    assert.equal(body.ok, false);
    // A pooled connection that was cut, or a new one refused: either way the database is gone.
    assert.match(body.reason, /^database: .*(not currently accepting connections|terminating connection)/);
    assert.equal(body.checks.database.ok, false);
    // Health is liveness: the process still answers.
    assert.equal((await fetch(`${h.url}/api/health`)).status, 200);

    await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
    assert.equal((await fetch(`${h.url}/api/ready`)).status, 200);
  });
});
