/**
 * Applying and writing migrations with the WebAssembly schema engine, for
 * SQLite and PostgreSQL alike. Used by the server at start (migrations apply
 * automatically), by `npm run db:migrate` and by `npm run db:migration -- <name>`.
 */
import { existsSync, mkdirSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";
import { DIFF_FILTER, NO_FILTER, openEngine, sqlitePath } from "./engine";
import { isMemorySqlite, withMigrationLock, type Log } from "./lock";
import { migrationsDir, providerOf, schemaFor, SCHEMA_PATH, type Provider } from "./providers";
import { createScratchDatabase } from "./scratch-pg";

/** Between two tries to get SQLite's exclusive lock for the engine; each try itself waits SQLITE_ENGINE_BUSY_MS. */
const SQLITE_RETRY_MS = 1_000;

export async function readSchema(provider: Provider): Promise<string> {
  return schemaFor(provider, await readFile(SCHEMA_PATH, "utf8"));
}

/** The names of a provider's checked-in migrations, oldest first. */
export async function migrationNames(provider: Provider): Promise<string[]> {
  const entries = await readdir(migrationsDir(provider), { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

async function loadMigrations(provider: Provider): Promise<MigrationList> {
  const dir = migrationsDir(provider);
  const lockPath = path.join(dir, "migration_lock.toml");
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: await readFile(lockPath, "utf8").catch(() => null) },
    shadowDbInitScript: "",
    migrationDirectories: await Promise.all(
      (await migrationNames(provider)).map(async (name) => ({
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: await readFile(path.join(dir, name, "migration.sql"), "utf8").then(
            (value) => ({ tag: "ok" as const, value }),
            (err: Error) => ({ tag: "error" as const, value: err.message }),
          ),
        },
      })),
    ),
  };
}

/**
 * The checked-in SQLite migrations this database has not finished, read
 * without the engine. The engine takes SQLite's exclusive lock, which it
 * cannot get while any other process (a running server, a second instance)
 * has the file open; so a start with nothing to apply must not need it.
 */
async function pendingSqlite(url: string): Promise<string[]> {
  const wanted = await migrationNames("sqlite");
  const file = sqlitePath(url);
  if (!existsSync(file)) return wanted;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare("SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL")
      .all() as { name: string }[];
    const applied = new Set(rows.map((r) => r.name));
    return wanted.filter((name) => !applied.has(name));
  } catch {
    return wanted; // no migrations table yet: everything is pending
  } finally {
    db.close();
  }
}

/** SQLite's busy error as the engine reports it through the adapter (it has no variant of its own for it). */
function isSqliteBusy(err: unknown): boolean {
  return /SocketTimeout|SQLITE_BUSY|database is locked/i.test((err as Error)?.message ?? "");
}

export interface ApplyOptions {
  /** Where waiting is reported; default console.log. */
  log?: Log;
  /**
   * SQLite only: how long to wait for other processes to close the database
   * when migrations are pending (the engine needs it to itself). A server
   * waits as long as it takes; `npm run admin` gives up at once with a reason.
   */
  busyWaitMs?: number;
}

/** Applies every migration the database lacks, under the migration lock; returns their names. */
export async function applyMigrations(databaseUrl: string, options: ApplyOptions = {}): Promise<string[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const provider = providerOf(databaseUrl);
  if (provider === "sqlite" && !isMemorySqlite(databaseUrl)) {
    mkdirSync(path.dirname(path.resolve(sqlitePath(databaseUrl))), { recursive: true });
  }
  return withMigrationLock(
    databaseUrl,
    async () => {
      if (provider === "postgresql") return engineApply(databaseUrl, provider);
      if (isMemorySqlite(databaseUrl)) return engineApply(databaseUrl, provider);
      const pending = await pendingSqlite(databaseUrl);
      if (pending.length === 0) return [];
      return applySqliteWhenFree(databaseUrl, pending, log, options.busyWaitMs ?? Infinity);
    },
    log,
  );
}

async function engineApply(databaseUrl: string, provider: Provider): Promise<string[]> {
  const { engine, close } = await openEngine(databaseUrl, await readSchema(provider));
  try {
    return await applyWith(engine, provider);
  } finally {
    await close();
  }
}

/**
 * Runs the engine, retrying while another process has the file open. Safe to
 * retry: the engine fails on its first access, before it changes anything.
 */
async function applySqliteWhenFree(url: string, pending: string[], log: Log, busyWaitMs: number): Promise<string[]> {
  const started = Date.now();
  let said = false;
  for (;;) {
    try {
      const applied = await engineApply(url, "sqlite");
      if (said) log(`[migrate] applied ${applied.length} migration(s) after waiting ${Math.round((Date.now() - started) / 1000)} s`);
      return applied;
    } catch (err) {
      if (!isSqliteBusy(err)) throw err;
      if (Date.now() - started >= busyWaitMs) {
        throw new Error(`the database is open in another process, so ${pending.length} pending migration(s) cannot be applied: ${pending.join(", ")}`);
      }
      if (!said) {
        log(
          `[migrate] ${pending.length} migration(s) to apply (${pending.join(", ")}), but ${sqlitePath(url)} is open in another process ` +
            "(a running Relay?); SQLite needs it to itself to migrate: waiting for it to close",
        );
        said = true;
      }
      await sleep(SQLITE_RETRY_MS);
    }
  }
}

async function applyWith(engine: SchemaEngine, provider: Provider): Promise<string[]> {
  const { appliedMigrationNames } = await engine.applyMigrations({
    migrationsList: await loadMigrations(provider),
    filters: NO_FILTER,
  });
  return appliedMigrationNames;
}

/** A database nobody else uses, for the migration writer and the drift check. */
async function scratchDatabase(provider: Provider): Promise<{ url: string; configDir: string; drop(): Promise<void> }> {
  if (provider === "postgresql") {
    const db = await createScratchDatabase("relay_scratch");
    return { url: db.url, configDir: path.dirname(SCHEMA_PATH), drop: db.drop };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "chat-migration-"));
  return { url: `file:${path.join(dir, "scratch.db")}`, configDir: dir, drop: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The SQL that takes a database migrated to a provider's latest checked-in
 * migration to the current schema.prisma (or `sourceText`, schema.prisma's
 * text as it would be). The engine cannot make its own shadow database here
 * (SQLite needs an external factory), so we migrate a scratch database and diff
 * from it. For PostgreSQL that needs a server: see scratch-pg.ts.
 */
export async function pendingMigrationSql(provider: Provider = "sqlite", sourceText?: string): Promise<string> {
  const schema = schemaFor(provider, sourceText ?? (await readFile(SCHEMA_PATH, "utf8")));
  const scratch = await scratchDatabase(provider);
  try {
    // One engine for both steps: on SQLite a second connection to the same
    // file would wait on the first one's lock.
    const { engine, close } = await openEngine(scratch.url, schema);
    try {
      await applyWith(engine, provider);
      const result = await engine.diff({
        // "schemaDatasource": the live database the engine's adapter is connected to.
        from: { tag: "schemaDatasource", files: [{ path: SCHEMA_PATH, content: schema }], configDir: scratch.configDir },
        to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_PATH, content: schema }] },
        script: true,
        exitCode: null,
        // Only SQLite has hand-written tables (PostgreSQL's filter takes schema-qualified names, and needs none).
        filters: provider === "sqlite" ? DIFF_FILTER : NO_FILTER,
      });
      return result.stdout ?? "";
    } finally {
      await close();
    }
  } finally {
    await scratch.drop();
  }
}

/** `<UTC timestamp>_<name>`: the folder name a new migration gets in every provider's folder. */
export function migrationDirName(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, "").slice(0, 14);
  return `${stamp}_${name.replace(/[^a-z0-9_]+/gi, "_").toLowerCase()}`;
}

export async function writeMigration(name: string, sql: string, now = new Date(), provider: Provider = "sqlite"): Promise<string> {
  const dirName = migrationDirName(name, now);
  const dir = path.join(migrationsDir(provider), dirName);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "migration.sql"), sql);
  return dirName;
}

/** True when the SQL has any statement (the engine returns comments for "no changes"). */
export function hasStatements(sql: string): boolean {
  return sql
    .split("\n")
    .some((line) => line.trim() && !line.trim().startsWith("--"));
}
