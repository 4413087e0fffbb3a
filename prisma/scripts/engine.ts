/**
 * Prisma's schema engine, compiled to WebAssembly, driven through a driver
 * adapter: migrations without the native binary Prisma's CLI would download.
 * The same route serves SQLite (better-sqlite3) and PostgreSQL (pg).
 *
 * Node 20 cannot import the package's .wasm entry, so we instantiate it by
 * hand (the package only exports the `./schema_engine_bg` glue). The package is
 * internal-facing: it is pinned to an exact version in package.json and this
 * path is exercised by every test run.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";
import pg from "pg";
import { migrationsDir, providerOf, SCHEMA_PATH } from "./providers";

const require = createRequire(import.meta.url);

export { SCHEMA_PATH };
/** The SQLite migrations (kept for callers from before PostgreSQL; see migrationsDir). */
export const MIGRATIONS_DIR = migrationsDir("sqlite");
export const NO_FILTER = { externalTables: [], externalEnums: [] };
/**
 * Tables the migrations create by hand and schema.prisma does not model: the
 * SQLite search indexes (FTS5's virtual tables and their shadow tables, see
 * prisma/migrations/sqlite/*_dms_search and *_search_chars). A diff leaves them alone instead of
 * proposing to drop them.
 */
const fts5 = (name: string) => [name, ...["config", "content", "data", "docsize", "idx"].map((shadow) => `${name}_${shadow}`)];
export const HAND_WRITTEN_TABLES = [...fts5("message_fts"), ...fts5("message_chars")];
export const DIFF_FILTER = { externalTables: HAND_WRITTEN_TABLES, externalEnums: [] };

/**
 * How long the engine's SQLite connection waits for a lock before it gives
 * up. Short, because applyMigrations retries with a log line (prisma/scripts/
 * migrations.ts), and better-sqlite3 waits synchronously, blocking the loop.
 */
const SQLITE_ENGINE_BUSY_MS = 1_000;
/** A PostgreSQL server that does not accept a connection within this is reported, not waited on forever. */
const PG_CONNECT_TIMEOUT_MS = 10_000;

let glue: Promise<typeof import("@prisma/schema-engine-wasm/schema_engine_bg")> | undefined;

function loadGlue() {
  glue ??= (async () => {
    const bg = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const wasmPath = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm")), "schema_engine_bg.wasm");
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      "./schema_engine_bg.js": bg as unknown as WebAssembly.ModuleImports,
    });
    const exports = instance.exports as Record<string, unknown> & { __wbindgen_start?: () => void };
    (bg as unknown as { __wbg_set_wasm(w: unknown): void }).__wbg_set_wasm(exports);
    exports.__wbindgen_start?.();
    return bg;
  })();
  return glue;
}

/** `file:./data/chat.db` -> the path better-sqlite3 opens. */
export function sqlitePath(url: string): string {
  return url.replace(/^file:/, "");
}

export interface OpenEngine {
  engine: SchemaEngine;
  /** Frees the engine and closes every connection it opened. */
  close(): Promise<void>;
}

/** PostgreSQL's internal one-byte `"char"` type, and text. */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

function charAsText<T>(result: T): T {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const field of (r as pg.QueryResult | undefined)?.fields ?? []) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
  }
  return result;
}

/**
 * A pg client for the schema engine. The engine reads PostgreSQL's catalogs
 * to describe a live database (the drift check and the migration writer diff
 * against one), and catalog columns such as pg_class.relkind have the internal
 * `"char"` type, which @prisma/adapter-pg 7.10 cannot map ("Column type 'char'
 * could not be deserialized"). pg already returns those values as strings;
 * this reports their type as text so the adapter takes them as such. Only the
 * engine uses it; the app's client never reads catalogs.
 */
class CatalogClient extends pg.Client {
  override query(...args: unknown[]): any {
    const call = super.query as (...a: unknown[]) => unknown;
    const last = args.length - 1;
    if (typeof args[last] === "function") {
      // pg-pool's own pool.query() calls the client with a callback.
      const cb = args[last] as (err: Error | undefined, res: unknown) => void;
      args[last] = (err: Error | undefined, res: unknown) => cb(err, err ? res : charAsText(res));
      return call.apply(this, args);
    }
    const out = call.apply(this, args) as Promise<unknown> | undefined;
    return out && typeof out.then === "function" ? out.then(charAsText) : out;
  }
}

function adapterFactory(databaseUrl: string): SqlMigrationAwareDriverAdapterFactory {
  if (providerOf(databaseUrl) === "postgresql") {
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
      max: 2,
      Client: CatalogClient,
    });
    return new PrismaPg(pool, { disposeExternalPool: true });
  }
  return new PrismaBetterSqlite3({ url: sqlitePath(databaseUrl), timeout: SQLITE_ENGINE_BUSY_MS });
}

/** An engine over the database at `databaseUrl`; `schema` is that provider's schema text. */
export async function openEngine(databaseUrl: string, schema: string): Promise<OpenEngine> {
  const bg = await loadGlue();
  const factory = adapterFactory(databaseUrl);
  // engine.free() does not close the connections the engine opened, and an
  // open connection would keep SQLite's lock from the app (or a PostgreSQL
  // pool alive); track and close them.
  const opened: SqlDriverAdapter[] = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const conn = await factory.connect();
      opened.push(conn);
      return conn;
    },
    connectToShadowDb: async () => {
      const conn = await factory.connectToShadowDb();
      opened.push(conn);
      return conn;
    },
  };
  const log = (msg: string) => {
    if (process.env.PRISMA_ENGINE_DEBUG) console.error("[schema-engine]", msg);
  };
  const engine = await bg.SchemaEngine.new(
    { datamodels: [[SCHEMA_PATH, schema]] },
    log,
    bindMigrationAwareSqlAdapterFactory(tracking),
  );
  return {
    engine,
    async close() {
      engine.free();
      await Promise.all(opened.splice(0).map((c) => c.dispose()));
    },
  };
}
