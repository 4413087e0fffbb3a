/**
 * Runs the unit and integration suite: `npm run test:unit` (SQLite, memory bus)
 * and `npm run test:unit:pg` (`--pg`: every test server on PostgreSQL + Redis).
 *
 * Two test files at a time, except the ones that measure or stop processes
 * (they start several servers, kill them, time TTLs or pin CPUs: they run
 * alone, after the rest). On this project's 2-core machines most of a test
 * file's time is waiting (timers, sockets, child processes) and starting tsx,
 * so two at a time takes about 40 % less wall time for the same tests; that
 * is what keeps CI under its 25 minutes.
 *
 * `--pg` leaves out what does not depend on the database or the bus (pure
 * functions, catalogs, static checks), what is about one provider by design
 * (the migration tests and *.postgres tests run in the SQLite pass, on a
 * PostgreSQL of their own), and the multi-process tests that already run
 * their nodes on PostgreSQL + Redis.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../paths";

const pg = process.argv.includes("--pg");

/** Run alone: several servers at once, kills, TTLs, CPU pinning. */
const SERIAL = [
  "server/bench.test.ts",
  "server/cluster-mode.test.ts",
  "server/cluster.test.ts",
  "server/db-outage.postgres.test.ts",
  "server/deploy.test.ts",
  "server/migrations-lock.test.ts",
  "server/realtime/chaos.test.ts",
  "server/restart.test.ts",
  "server/seq.postgres.test.ts",
  "server/shutdown.test.ts",
];

/** Not in the PostgreSQL pass (see above). */
const NOT_ON_PG = [
  /\/migrations[^/]*\.test\.ts$/,
  /\.postgres\.test\.ts$/,
  /\/(cluster|cluster-mode|deploy|shutdown|bench)\.test\.ts$/,
  // No database or bus in them:
  /^components\//,
  /\/(hardening|i18n|markdown|unit)\.test\.ts$/,
  /\/realtime\/streams\.test\.ts$/,
  /\.unit\.test\.ts$/,
];

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(ROOT, dir))) {
    const rel = `${dir}/${name}`;
    if (rel.includes("/generated")) continue;
    if (statSync(path.join(ROOT, rel)).isDirectory()) out.push(...testFiles(rel));
    else if (name.endsWith(".test.ts")) out.push(rel);
  }
  return out;
}

const files = [...testFiles("server"), ...testFiles("components")].sort().filter((f) => !pg || !NOT_ON_PG.some((re) => re.test(f)));
const serial = files.filter((f) => SERIAL.includes(f));
const parallel = files.filter((f) => !SERIAL.includes(f));

function run(list: string[], concurrency: number): boolean {
  if (!list.length) return true;
  const env = pg ? { ...process.env, TEST_DB: "postgresql", TEST_BUS: "redis" } : process.env;
  const res = spawnSync(process.execPath, ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, ...list], { cwd: ROOT, stdio: "inherit", env });
  return res.status === 0;
}

console.log(`suite${pg ? " on PostgreSQL + Redis" : ""}: ${parallel.length} files two at a time, then ${serial.length} alone`);
// Both halves run even when the first fails, so one run shows every failure.
const parallelOk = run(parallel, 2);
const serialOk = run(serial, 1);
process.exit(parallelOk && serialOk ? 0 : 1);
