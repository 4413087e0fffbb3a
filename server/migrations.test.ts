/**
 * One schema, two providers, no drift: every check here fails when
 * prisma/schema.prisma changes without its migrations (for SQLite and for
 * PostgreSQL) or without regenerating the clients. The PostgreSQL half runs on
 * the machine's server in throwaway databases (skipped with a reason when
 * there is none, except under CI=true, where it fails).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import { SCHEMA_PATH } from "../prisma/scripts/engine";
import { applyMigrations, hasStatements, migrationNames, pendingMigrationSql } from "../prisma/scripts/migrations";
import { clientDir, PROVIDER_NAMES, providerOf, redactUrl, schemaFor } from "../prisma/scripts/providers";
import { createScratchDatabase } from "../prisma/scripts/scratch-pg";
import { requirePostgres } from "./test/harness";

const source = () => readFileSync(SCHEMA_PATH, "utf8");
const withArchived = () => source().replace(/model Room \{\n/, "model Room {\n  archived Boolean @default(false)\n");
const TABLES = ["user", "session", "room", "message", "room_member", "log_event", "setting", "_prisma_migrations"];
const quiet = { log: () => {} };

/** Schema text up to formatting: Prisma aligns the columns of the schema it inlines. */
const normalized = (schema: string) =>
  schema
    .split("\n")
    .map((l) => l.trim().replace(/\s+/g, " "))
    .filter(Boolean)
    .join("\n");

/** The schema text a generated client was generated from (Prisma inlines it in the client). */
function inlineSchemaOf(dir: string): string {
  const line = readFileSync(path.join(dir, "internal/class.ts"), "utf8")
    .split("\n")
    .find((l) => l.trimStart().startsWith('"inlineSchema":'));
  assert.ok(line, `no inlineSchema in ${dir}`);
  return JSON.parse(line.trim().replace(/^"inlineSchema":\s*/, "").replace(/,$/, "")) as string;
}

// Every await before the first describe: the runner (--test-force-exit) ends a file once the tests it knows of are done.
const pgSkip = await requirePostgres();

describe("one schema, two providers", () => {
  it("derives the PostgreSQL schema by swapping only the provider and the client folder", () => {
    const derived = schemaFor("postgresql", source());
    assert.match(derived, /^\s*provider\s*=\s*"postgresql"/m);
    assert.match(derived, /^\s*output\s*=\s*"\.\/postgresql"/m);
    assert.doesNotMatch(derived, /"sqlite"/);
    // Everything else is the same text: the models have one source.
    const strip = (s: string) => s.split("\n").filter((l) => !/^\s*(provider|output)\s*=|^\/\/ GENERATED/.test(l)).join("\n");
    assert.equal(strip(derived), strip(source()));
  });

  it("refuses a schema it cannot derive from, instead of deriving a wrong one", () => {
    assert.throws(() => schemaFor("postgresql", source().replace(/provider = "sqlite"/, 'provider = "mysql"')), /expected exactly one datasource/);
    assert.throws(() => schemaFor("sqlite", source().replace("name            String", "name String @db.VarChar(80)")), /provider-neutral: @db\.VarChar/);
  });

  it("tells the providers apart by DATABASE_URL", () => {
    assert.equal(providerOf("file:./data/chat.db"), "sqlite");
    assert.equal(providerOf("postgresql://u@h:5432/db"), "postgresql");
    assert.equal(providerOf("postgres://u@h/db"), "postgresql");
    assert.throws(() => providerOf("mysql://u:secret@h/db"), (err: Error) => /unsupported DATABASE_URL/.test(err.message) && !err.message.includes("secret"));
  });

  it("keeps passwords out of the URLs it logs", () => {
    assert.equal(redactUrl("postgresql://relay:s3cr%40t@db:5432/relay"), "postgresql://relay:***@db:5432/relay");
    assert.equal(redactUrl("postgres://relay@db/relay?sslmode=require&password=hunter2"), "postgres://relay@db/relay?sslmode=require&password=***");
    assert.equal(redactUrl("file:./data/chat.db"), "file:./data/chat.db");
  });

  for (const provider of PROVIDER_NAMES) {
    it(`the generated ${provider} client is generated from the current schema.prisma (run npm run db:generate)`, () => {
      assert.equal(normalized(inlineSchemaOf(clientDir(provider))), normalized(schemaFor(provider, source())));
    });
  }

  it("both providers' migration folders keep the same history from the PostgreSQL start on", async () => {
    const [sqlite, postgresql] = [await migrationNames("sqlite"), await migrationNames("postgresql")];
    // PostgreSQL began with one init migration of everything before it; every
    // migration written after that exists for both (db:migration writes both).
    const start = postgresql[0]!;
    assert.match(start, /_init$/);
    const sqliteSince = sqlite.filter((n) => n > start);
    assert.deepEqual(postgresql.slice(1), sqliteSince);
  });
});

describe("offline migrations on SQLite (WebAssembly schema engine)", () => {
  it("checked-in migrations match schema.prisma (no drift)", async () => {
    const sql = await pendingMigrationSql("sqlite");
    assert.equal(hasStatements(sql), false, `schema.prisma has changes without a SQLite migration:\n${sql}`);
  });

  it("writes the SQL for a schema change", async () => {
    const sql = await pendingMigrationSql("sqlite", withArchived());
    assert.ok(hasStatements(sql));
    assert.match(sql, /"archived" BOOLEAN NOT NULL DEFAULT false/);
  });

  it("applies every migration once to a new database, then nothing", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "chat-migrate-"));
    try {
      const url = `file:${path.join(dir, "nested", "chat.db")}`;
      const first = await applyMigrations(url, quiet);
      assert.deepEqual(first, await migrationNames("sqlite"));
      assert.deepEqual(await applyMigrations(url, quiet), []);
      const db = new Database(path.join(dir, "nested", "chat.db"), { readonly: true });
      const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
      db.close();
      for (const t of TABLES) assert.ok(tables.some((x) => x.name === t), `missing table ${t}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("offline migrations on PostgreSQL (WebAssembly schema engine)", { skip: pgSkip }, () => {
  it("checked-in migrations match schema.prisma (no drift)", async () => {
    const sql = await pendingMigrationSql("postgresql");
    assert.equal(hasStatements(sql), false, `schema.prisma has changes without a PostgreSQL migration:\n${sql}`);
  });

  it("writes the SQL for a schema change", async () => {
    const sql = await pendingMigrationSql("postgresql", withArchived());
    assert.ok(hasStatements(sql));
    assert.match(sql, /ALTER TABLE "room" ADD COLUMN\s+"archived" BOOLEAN NOT NULL DEFAULT false/);
  });

  it("applies every migration once to a new database, then nothing", async () => {
    const db = await createScratchDatabase("relay_test");
    try {
      assert.deepEqual(await applyMigrations(db.url, quiet), await migrationNames("postgresql"));
      assert.deepEqual(await applyMigrations(db.url, quiet), []);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'");
        for (const t of TABLES) assert.ok(rows.some((x) => x.name === t), `missing table ${t}`);
      } finally {
        await client.end();
      }
    } finally {
      await db.drop();
    }
  });
});
