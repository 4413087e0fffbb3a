/**
 * Start-up migrations with more than one process on a database. Before the
 * migration lock, a second instance on the same SQLite file crashed at start
 * ("unknown variant `SocketTimeout`" after 5 s: the schema engine wanted the
 * file to itself while the first instance had it open). Every test here runs
 * real processes (server/test/bin/*), because the locks are per process.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import { applyMigrations, migrationNames } from "../prisma/scripts/migrations";
import { withMigrationLock } from "../prisma/scripts/lock";
import { createScratchDatabase, type ScratchDatabase } from "../prisma/scripts/scratch-pg";
import { requirePostgres } from "./test/harness";
import { spawnTs, type Child } from "./test/processes";

const APP = "server/test/bin/app.ts";
const HOLDER = "server/test/bin/hold-migration-lock.ts";
const LISTENING = /listening (\d+)/;
const quiet = { log: () => {} };

const children: Child[] = [];
function start(script: string, databaseUrl: string): Child {
  const child = spawnTs(script, { DATABASE_URL: databaseUrl });
  children.push(child);
  return child;
}
after(async () => {
  await Promise.all(children.map((c) => c.kill("SIGKILL")));
});

async function ready(child: Child): Promise<void> {
  const port = (await child.waitFor(LISTENING))[1];
  const res = await fetch(`http://127.0.0.1:${port}/api/ready`);
  assert.equal(res.status, 200, child.output());
}

/** Nothing matching for a while: the child is waiting, not serving. */
async function stillWaiting(child: Child, ms = 1_500): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  assert.doesNotMatch(child.output(), LISTENING, "started while it should have waited");
}

// Every await before the first describe: the runner (--test-force-exit) ends a file once the tests it knows of are done.
const pgSkip = await requirePostgres();

describe("start-up migrations on SQLite, several processes", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "chat-lock-"));
  const url = (name: string) => `file:${path.join(dir, name)}`;
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a second instance on the same file starts while the first one runs", async () => {
    const first = start(APP, url("shared.db"));
    await ready(first);
    const second = start(APP, url("shared.db"));
    await ready(second);
    await ready(first); // and the first is unharmed
    assert.doesNotMatch(second.output(), /SocketTimeout|Error/);
  });

  it("one that finds the migration lock taken says so and waits; a crashed holder releases it", async () => {
    const holder = start(HOLDER, url("locked.db"));
    await holder.waitFor(/holding/);
    const app = start(APP, url("locked.db"));
    await app.waitFor(/waiting for the migration lock .*another process is migrating this database/);
    await stillWaiting(app);
    // The holder dies mid-"migration" without releasing anything: the kernel drops its lock.
    await holder.kill("SIGKILL");
    await ready(app);
    assert.match(app.output(), /got the migration lock after/);
  });

  it("with migrations pending while another process has the file open, waits for it to close, then applies them", async () => {
    const file = path.join(dir, "pending.db");
    await applyMigrations(url("pending.db"), quiet);
    // Roll the migration that made `setting` back by hand, so it is pending
    // again (by name: later migrations do not change what this undoes).
    const last = (await migrationNames("sqlite")).find((name) => name.endsWith("_shared_settings"))!;
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.exec("DROP TABLE setting");
    db.prepare("DELETE FROM _prisma_migrations WHERE migration_name = ?").run(last);
    // This connection stays open, as a running server's would.
    db.prepare("SELECT count(*) FROM room").get();

    const app = start(APP, url("pending.db"));
    await app.waitFor(new RegExp(`1 migration\\(s\\) to apply \\(${last}\\), but .* is open in another process`));
    await stillWaiting(app);
    db.close();
    await ready(app);
    assert.match(app.output(), /applied 1 migration\(s\) after waiting/);
  });

  it("serializes migrators within one process too", async () => {
    const order: string[] = [];
    const hold = (name: string, ms: number) =>
      withMigrationLock(url("inproc.db"), async () => {
        order.push(`${name} in`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`${name} out`);
      }, () => {});
    await Promise.all([hold("a", 300), new Promise((r) => setTimeout(r, 50)).then(() => hold("b", 10))]);
    assert.deepEqual(order, ["a in", "a out", "b in", "b out"]);
  });
});

describe("start-up migrations on PostgreSQL, several processes", { skip: pgSkip }, () => {
  const dbs: ScratchDatabase[] = [];
  const fresh = async () => {
    const db = await createScratchDatabase("relay_test");
    dbs.push(db);
    return db;
  };
  after(async () => {
    await Promise.all(children.map((c) => c.kill("SIGKILL")));
    for (const db of dbs) await db.drop();
  });

  it("one that finds the advisory lock taken names the holder and waits; a crashed holder releases it", async () => {
    const db = await fresh();
    const holder = start(HOLDER, db.url);
    await holder.waitFor(/holding/);
    const app = start(APP, db.url);
    await app.waitFor(/waiting for the migration lock: another process \(PostgreSQL backend \d+, relay-migrate\) is migrating this database/);
    await stillWaiting(app);
    await holder.kill("SIGKILL");
    await ready(app);
  });

  it("two instances starting at once on a new database both start, and each migration is applied once", async () => {
    const db = await fresh();
    const a = start(APP, db.url);
    const b = start(APP, db.url);
    await Promise.all([ready(a), ready(b)]);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>("SELECT migration_name AS name FROM _prisma_migrations ORDER BY 1");
      assert.deepEqual(rows.map((r) => r.name), await migrationNames("postgresql"));
      const rooms = await client.query("SELECT slug FROM room");
      assert.deepEqual(rooms.rows, [{ slug: "general" }], "one default room, though both created it");
      const secrets = await client.query("SELECT key FROM setting");
      assert.deepEqual(secrets.rows, [{ key: "auth.secret" }], "one shared secret");
    } finally {
      await client.end();
    }
  });
});
