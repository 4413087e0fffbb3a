/**
 * One migrator at a time. Every process that migrates (a server starting, a
 * second node, `npm run db:migrate`, `npm run admin`) first takes this lock;
 * one that finds it taken says so in one line and waits, instead of racing
 * the other into the schema engine and crashing.
 *
 * Both locks belong to the holder's connection, and the database drops them
 * when that connection ends, so a holder that crashes or is killed never
 * leaves a stale lock behind (no lock files with PIDs to guess about):
 * - PostgreSQL: a session advisory lock, freed when the session ends.
 * - SQLite: an exclusive transaction on a small sidecar database file next to
 *   the real one (`chat.db.migrate-lock`). SQLite's lock is a POSIX lock on
 *   that file, which the kernel releases when the process exits in any way.
 *   It is a separate file because the schema engine needs the database
 *   itself to take its own exclusive lock.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import pg from "pg";
import { sqlitePath } from "./engine";
import { providerOf, redactUrl } from "./providers";

export type Log = (line: string) => void;

/**
 * The advisory lock key, as two int4s (they show in pg_locks as classid and
 * objid): 0x52454c41 is "RELA" in ASCII, 1 is "migrations". Not the key the
 * schema engine takes for itself (72707369), or our holder would block the
 * engine's own connection.
 */
const PG_LOCK_KEY = [0x52454c41, 1] as const;
/** How often a waiter says it is still waiting: often enough to see it is alive, rarely enough not to flood. */
const STILL_WAITING_MS = 30_000;
/** Polling interval for the SQLite lock: better-sqlite3 waits synchronously, so we poll with the loop free instead. */
const SQLITE_POLL_MS = 200;
const PG_CONNECT_TIMEOUT_MS = 10_000;

export function isMemorySqlite(url: string): boolean {
  const file = sqlitePath(url);
  return file === ":memory:" || file.startsWith(":memory:") || file.includes("mode=memory");
}

/** The sidecar file that carries a SQLite database's migration lock. */
export function sqliteLockPath(url: string): string {
  return `${path.resolve(sqlitePath(url))}.migrate-lock`;
}

/** Runs `fn` while holding the migration lock of the database at `url`, waiting for it with a log line. */
export async function withMigrationLock<T>(url: string, fn: () => Promise<T>, log: Log): Promise<T> {
  if (providerOf(url) === "postgresql") return withPgLock(url, fn, log);
  if (isMemorySqlite(url)) return fn(); // private to this process: nobody to race
  return withSqliteLock(url, fn, log);
}

/**
 * The lock connections in use. A connection that nothing references can be
 * garbage-collected while `fn` waits on something, and collecting it closes
 * it, releasing the lock early; this set keeps each one until its release.
 */
const heldSqliteLocks = new Set<Database.Database>();

async function withSqliteLock<T>(url: string, fn: () => Promise<T>, log: Log): Promise<T> {
  const file = sqliteLockPath(url);
  mkdirSync(path.dirname(file), { recursive: true });
  // timeout 0: fail at once when busy; we poll below without blocking the loop.
  const lock = new Database(file, { timeout: 0 });
  heldSqliteLocks.add(lock);
  try {
    const started = Date.now();
    let lastSaid = 0;
    for (;;) {
      try {
        lock.exec("BEGIN EXCLUSIVE");
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== "SQLITE_BUSY") throw err;
        const now = Date.now();
        if (lastSaid === 0 || now - lastSaid >= STILL_WAITING_MS) {
          log(
            lastSaid === 0
              ? `[migrate] waiting for the migration lock (${file}): another process is migrating this database`
              : `[migrate] still waiting for the migration lock after ${Math.round((now - started) / 1000)} s`,
          );
          lastSaid = now;
        }
        await sleep(SQLITE_POLL_MS);
      }
    }
    if (lastSaid) log(`[migrate] got the migration lock after ${Math.round((Date.now() - started) / 100) / 10} s`);
    return await fn();
  } finally {
    // Closing ends the transaction and releases the lock.
    lock.close();
    heldSqliteLocks.delete(lock);
  }
}

async function withPgLock<T>(url: string, fn: () => Promise<T>, log: Log): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    application_name: "relay-migrate",
    // A server-wide timeout must not cut the wait short: waiting is the point.
    statement_timeout: 0,
    lock_timeout: 0,
  });
  // A connection dropped while waiting surfaces as a failed query below; without
  // a listener, the client's 'error' event would crash the process instead.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`);
  }
  try {
    const [k1, k2] = PG_LOCK_KEY;
    const tried = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS ok", [k1, k2]);
    if (!tried.rows[0]?.ok) {
      const holder = await client.query<{ pid: number; app: string | null }>(
        `SELECT l.pid, a.application_name AS app FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [k1, k2],
      );
      const who = holder.rows[0] ? ` (PostgreSQL backend ${holder.rows[0].pid}${holder.rows[0].app ? `, ${holder.rows[0].app}` : ""})` : "";
      log(`[migrate] waiting for the migration lock: another process${who} is migrating this database`);
      const started = Date.now();
      const ticker = setInterval(
        () => log(`[migrate] still waiting for the migration lock after ${Math.round((Date.now() - started) / 1000)} s`),
        STILL_WAITING_MS,
      );
      try {
        await client.query("SELECT pg_advisory_lock($1, $2)", [k1, k2]);
      } finally {
        clearInterval(ticker);
      }
      log(`[migrate] got the migration lock after ${Math.round((Date.now() - started) / 100) / 10} s`);
    }
    return await fn();
  } finally {
    // Ending the session releases the lock even if the unlock query cannot run.
    await client.end().catch(() => {});
  }
}
