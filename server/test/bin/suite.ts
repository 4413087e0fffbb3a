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
import { readFileSync, readdirSync, statSync } from "node:fs";
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

/**
 * --test-force-exit: a file's process ends when its tests and hooks are done.
 * Without it, a file that used Socket.IO's polling transport waits out
 * engine.io's 30 s close timer after its server has stopped (chaos.test.ts
 * took 33 s for 1.5 s of tests), and any timer a test forgets holds CI the same way.
 */
function run(list: string[], concurrency: number): boolean {
  if (!list.length) return true;
  const env = pg ? { ...process.env, TEST_DB: "postgresql", TEST_BUS: "redis" } : process.env;
  const res = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-force-exit", `--test-concurrency=${concurrency}`, ...list], { cwd: ROOT, stdio: "inherit", env });
  return res.status === 0;
}

/**
 * With --test-force-exit a file ends once the tests it has registered are
 * done, so a describe registered after a top-level await can be dropped
 * without a word (deploy.test.ts lost its nginx test that way). Such a file
 * is refused here, before anything runs: its awaits go above its first test.
 */
function lateRegistrations(file: string): string[] {
  const lines = readFileSync(path.join(ROOT, file), "utf8").split("\n");
  const first = lines.findIndex((l) => /^(describe|test|it|suite)\(/.test(l));
  if (first < 0) return [];
  return lines
    .map((l, i) => ({ l, i }))
    .filter(({ l, i }) => i > first && /^\S/.test(l) && /\bawait\b/.test(l) && !/\basync\b/.test(l))
    .map(({ i }) => `${file}:${i + 1}`);
}
const late = files.flatMap(lateRegistrations);
if (late.length) {
  console.error(`suite: a top-level await after the first test (move it above, or the runner may end the file before what follows registers):\n  ${late.join("\n  ")}`);
  process.exit(1);
}

console.log(`suite${pg ? " on PostgreSQL + Redis" : ""}: ${parallel.length} files two at a time, then ${serial.length} alone`);
// Both halves run even when the first fails, so one run shows every failure.
const parallelOk = run(parallel, 2);
const serialOk = run(serial, 1);
process.exit(parallelOk && serialOk ? 0 : 1);
