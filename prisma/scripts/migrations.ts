/**
 * Applying and writing migrations with the WebAssembly schema engine. Used by
 * the server at start (migrations apply automatically), by
 * `npm run db:migrate` and by `npm run db:migration -- <name>`.
 */
import { mkdirSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";
import { MIGRATIONS_DIR, NO_FILTER, SCHEMA_PATH, openEngine, sqlitePath } from "./engine";

async function loadMigrations(dir = MIGRATIONS_DIR): Promise<MigrationList> {
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const lockPath = path.join(dir, "migration_lock.toml");
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: await readFile(lockPath, "utf8").catch(() => null) },
    shadowDbInitScript: "",
    migrationDirectories: await Promise.all(
      entries.map(async (name) => ({
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

/** Applies every migration the database lacks; returns their names. */
export async function applyMigrations(databaseUrl: string): Promise<string[]> {
  const file = sqlitePath(databaseUrl);
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const { engine, close } = await openEngine(databaseUrl, await readFile(SCHEMA_PATH, "utf8"));
  try {
    return await applyWith(engine);
  } finally {
    await close();
  }
}

async function applyWith(engine: SchemaEngine): Promise<string[]> {
  const { appliedMigrationNames } = await engine.applyMigrations({
    migrationsList: await loadMigrations(),
    filters: NO_FILTER,
  });
  return appliedMigrationNames;
}

/**
 * The SQL that takes a database migrated to the latest checked-in migration to
 * the current schema.prisma. SQLite's engine cannot make its own shadow
 * database here, so we migrate a scratch file and diff from it.
 */
export async function pendingMigrationSql(schemaText?: string): Promise<string> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), "chat-migration-"));
  const url = `file:${path.join(scratch, "scratch.db")}`;
  const schema = schemaText ?? (await readFile(SCHEMA_PATH, "utf8"));
  // One engine for both steps: a second connection to the same file would
  // wait on the first one's lock.
  const { engine, close } = await openEngine(url, schema);
  try {
    await applyWith(engine);
    const result = await engine.diff({
      // "schemaDatasource": the live database the engine's adapter is connected to.
      from: { tag: "schemaDatasource", files: [{ path: SCHEMA_PATH, content: schema }], configDir: scratch },
      to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_PATH, content: schema }] },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    return result.stdout ?? "";
  } finally {
    await close();
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function writeMigration(name: string, sql: string, now = new Date()): Promise<string> {
  const stamp = now.toISOString().replace(/\D/g, "").slice(0, 14);
  const dirName = `${stamp}_${name.replace(/[^a-z0-9_]+/gi, "_").toLowerCase()}`;
  const dir = path.join(MIGRATIONS_DIR, dirName);
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
