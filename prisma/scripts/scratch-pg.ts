/**
 * Throwaway PostgreSQL databases, for work that needs a real server but must
 * not touch anyone's data: the migration writer and drift check (migrate a
 * scratch database, diff it against the schema) and the test harness (one
 * database per test server).
 *
 * POSTGRES_ADMIN_URL names a server and a role allowed to CREATE DATABASE;
 * the default is a local server with the `postgres` role, as on our machines.
 * Nothing here ever reads or writes a database it did not create.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { redactUrl } from "./providers";

export const DEFAULT_POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

/** Answering within this means the server is there; a refused or silent port is reported quickly. */
const CONNECT_TIMEOUT_MS = 3_000;

export function postgresAdminUrl(env: Record<string, string | undefined> = process.env): string {
  return env.POSTGRES_ADMIN_URL || DEFAULT_POSTGRES_ADMIN_URL;
}

/** The same server and credentials as `url`, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

async function admin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on("error", () => {}); // a dropped connection fails the query in flight; it must not crash the process
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot reach PostgreSQL at ${redactUrl(adminUrl)} (set POSTGRES_ADMIN_URL): ${(err as Error).message}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Why PostgreSQL cannot be used for scratch databases, or null when it can. */
export async function postgresUnavailable(adminUrl = postgresAdminUrl()): Promise<string | null> {
  try {
    await admin(adminUrl, (c) => c.query("SELECT 1"));
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Names we create are lower-case letters, digits and _ only, so they never need quoting rules beyond "…". */
const SAFE_NAME = /^[a-z][a-z0-9_]*$/;

export async function createScratchDatabase(prefix: string, adminUrl = postgresAdminUrl()): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  if (!SAFE_NAME.test(name) || name.length > 63) throw new Error(`bad scratch database name ${name}`);
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: () => dropDatabase(name, adminUrl),
  };
}

/** Drops a database this module created, closing whatever is still connected to it. */
export async function dropDatabase(name: string, adminUrl = postgresAdminUrl()): Promise<void> {
  if (!SAFE_NAME.test(name)) throw new Error(`refusing to drop ${name}`);
  // WITH (FORCE) (PostgreSQL 13+): a pool that was not closed must not keep the database alive.
  await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
