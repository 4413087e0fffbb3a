/**
 * The harness's database choice, and how a PostgreSQL test behaves where no
 * server answers: loud under CI, a printed skip elsewhere.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { requirePostgres, testDatabase } from "./harness";

/** Port 1 on loopback: nothing listens there, so connecting is refused at once. */
const NOWHERE = "postgresql://postgres@127.0.0.1:1/postgres";

describe("test harness", () => {
  it("reads TEST_DB, defaulting to SQLite and refusing what it does not know", () => {
    assert.equal(testDatabase({}), "sqlite");
    assert.equal(testDatabase({ TEST_DB: "sqlite" }), "sqlite");
    assert.equal(testDatabase({ TEST_DB: "postgresql" }), "postgresql");
    assert.equal(testDatabase({ TEST_DB: "PG" }), "postgresql");
    assert.throws(() => testDatabase({ TEST_DB: "mysql" }), /TEST_DB=mysql: use sqlite or postgresql/);
  });

  it("without PostgreSQL: a skip with the reason, or under CI=true a failure", async () => {
    const reason = await requirePostgres({ POSTGRES_ADMIN_URL: NOWHERE });
    assert.equal(typeof reason, "string");
    assert.match(reason as string, /^cannot reach PostgreSQL at postgresql:\/\/postgres@127\.0\.0\.1:1\/postgres \(set POSTGRES_ADMIN_URL\): .*ECONNREFUSED/);
    await assert.rejects(requirePostgres({ POSTGRES_ADMIN_URL: NOWHERE, CI: "true" }), /cannot reach PostgreSQL .*CI=true: PostgreSQL tests must run/);
  });
});
