import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { SCHEMA_PATH } from "../prisma/scripts/engine";
import { applyMigrations, hasStatements, pendingMigrationSql } from "../prisma/scripts/migrations";

describe("offline migrations (WebAssembly schema engine)", () => {
  it("checked-in migrations match schema.prisma (no drift)", async () => {
    const sql = await pendingMigrationSql();
    assert.equal(hasStatements(sql), false, `schema.prisma has changes without a migration:\n${sql}`);
  });

  it("writes the SQL for a schema change", async () => {
    const schema = readFileSync(SCHEMA_PATH, "utf8").replace(
      /model Room \{\n/,
      "model Room {\n  archived Boolean @default(false)\n",
    );
    const sql = await pendingMigrationSql(schema);
    assert.ok(hasStatements(sql));
    assert.match(sql, /"archived" BOOLEAN NOT NULL DEFAULT false/);
  });

  it("applies every migration once to a new database, then nothing", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "chat-migrate-"));
    try {
      const url = `file:${path.join(dir, "nested", "chat.db")}`;
      const first = await applyMigrations(url);
      assert.ok(first.length >= 1);
      assert.deepEqual(await applyMigrations(url), []);
      const db = new Database(path.join(dir, "nested", "chat.db"), { readonly: true });
      const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
      db.close();
      for (const t of ["user", "session", "room", "message", "room_member", "_prisma_migrations"]) {
        assert.ok(tables.some((x) => x.name === t), `missing table ${t}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
