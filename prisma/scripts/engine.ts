/**
 * Prisma's schema engine, compiled to WebAssembly, driven through a driver
 * adapter: migrations without the native binary Prisma's CLI would download.
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
import type { SchemaEngine } from "@prisma/schema-engine-wasm";

const require = createRequire(import.meta.url);

export const SCHEMA_PATH = path.resolve(import.meta.dirname, "../schema.prisma");
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../migrations/sqlite");
export const NO_FILTER = { externalTables: [], externalEnums: [] };

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

export async function openEngine(databaseUrl: string, schema: string): Promise<OpenEngine> {
  const bg = await loadGlue();
  const factory = new PrismaBetterSqlite3({ url: sqlitePath(databaseUrl) });
  // engine.free() does not close the connections the engine opened, and an
  // open connection would keep SQLite's lock from the app; track and close them.
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
