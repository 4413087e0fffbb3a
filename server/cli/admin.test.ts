/**
 * `npm run admin`: run as a real process against a database the app created
 * (through the harness), then checked in the database and over HTTP.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createPrisma } from "../db";
import { joinAsGuest, register, startServer } from "../test/harness";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SCRIPT = path.join(ROOT, "server/cli/admin.ts");

function cli(databaseUrl: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", SCRIPT, ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let dir: string;
let dbUrl: string;
const cookies: Record<string, string> = {};

/**
 * Read through a client of its own, closed at once, on whichever database the
 * harness uses (TEST_DB): what the CLI wrote, not what the server caches.
 */
async function roleOf(username: string): Promise<string | null> {
  const prisma = await createPrisma(dbUrl);
  try {
    return (await prisma.user.findUniqueOrThrow({ where: { username }, select: { role: true } })).role;
  } finally {
    await prisma.$disconnect();
  }
}

before(async () => {
  const h = await startServer();
  cookies.boss = await register(h.url, "Boss"); // first registered account: admin
  cookies.alice = await register(h.url, "alice");
  await joinAsGuest(h.url, "Drifter");
  await h.stop({ keepData: true });
  dir = h.dir;
  dbUrl = h.dbUrl;
});

after(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("npm run admin", () => {
  it("lists the admins", async () => {
    const run = await cli(dbUrl, "list");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^boss\tBoss\tsince \d{4}-\d\d-\d\d$/m);
    assert.doesNotMatch(run.stdout, /alice/);
  });

  it("grants admin by username, whatever its case, and says so when there is nothing to do", async () => {
    const run = await cli(dbUrl, "grant", "ALICE");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /alice is now an admin/);
    assert.equal(await roleOf("alice"), "admin");

    const again = await cli(dbUrl, "grant", "alice");
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already an admin/);
    assert.match((await cli(dbUrl, "list")).stdout, /^alice\t/m);
  });

  it("works while the server runs, and applies to the user's next request", async () => {
    const h = await startServer({ dir });
    try {
      const stats = () => fetch(`${h.url}/api/admin/stats`, { headers: { cookie: cookies.alice! } }).then((r) => r.status);
      assert.equal(await stats(), 200);
      const run = await cli(dbUrl, "revoke", "alice");
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await stats(), 403);
      const back = await cli(dbUrl, "grant", "alice");
      assert.equal(back.code, 0, back.stderr);
      assert.equal(await stats(), 200);
    } finally {
      await h.stop({ keepData: true });
    }
  });

  it("revokes admin, but never from the last admin", async () => {
    const run = await cli(dbUrl, "revoke", "alice");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /alice is no longer an admin/);
    assert.equal(await roleOf("alice"), "member");

    const last = await cli(dbUrl, "revoke", "boss");
    assert.equal(last.code, 1);
    assert.match(last.stderr, /boss is the last admin/);
    assert.equal(await roleOf("boss"), "admin");

    const member = await cli(dbUrl, "revoke", "alice");
    assert.equal(member.code, 0);
    assert.match(member.stdout, /not an admin/);
  });

  it("fails clearly for an unknown user and for bad usage", async () => {
    const unknown = await cli(dbUrl, "grant", "nobody");
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No registered user named "nobody"/);

    for (const args of [[], ["grant"], ["grant", "a", "b"], ["list", "extra"]]) {
      const run = await cli(dbUrl, ...args);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, /usage: npm run admin -- grant <username>/);
    }
    const typo = await cli(dbUrl, "promote", "alice");
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /Unknown command "promote"/);
  });

  it("creates and migrates a database that does not exist yet", async () => {
    const fresh = mkdtempSync(path.join(os.tmpdir(), "chat-cli-"));
    try {
      const run = await cli(`file:${path.join(fresh, "new.db")}`, "list");
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /No admins yet/);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
