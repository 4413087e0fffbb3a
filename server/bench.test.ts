/**
 * The benchmark must not rot: `npm run bench -- --quick` (small sizes, one
 * rep) runs every part against the production build and the baselines, and
 * each part produces figures. Nothing here looks at speed: how fast Relay is
 * goes into docs/benchmarks.md, not into a test. Needs `npm run build` first
 * (npm test builds before the unit suite); PostgreSQL + Redis parts run when
 * those services are reachable and are skipped by the bench otherwise (but
 * not under CI=true, where they must run).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { Results } from "../bench/lib/report";
// The bench's pure parts (stats, ramp logic, protocol framing) have their tests next to them;
// importing them here runs them with the unit suite (its glob covers server/ and components/ only).
import "../bench/stats.test";
import "../bench/frames.test";

const ROOT = path.resolve(import.meta.dirname, "..");

test("npm run bench -- --quick runs every measure and reports figures", { timeout: 600_000 }, () => {
  const run = spawnSync(process.execPath, ["--import", "tsx", "bench/run.ts", "--quick", "--no-write"], { cwd: ROOT, encoding: "utf8", timeout: 580_000 });
  assert.equal(run.status, 0, `the bench failed:\n${run.stderr.slice(-4000)}`);
  assert.match(run.stdout, /\| max sustainable send rate/);
  const res = JSON.parse(readFileSync(path.join(ROOT, "bench/results/quick.json"), "utf8")) as Results;
  assert.deepEqual(res.errors, []);
  for (const server of ["relay", "socketio", "ws", "relay-sse", "sse"]) {
    const ramps = res.ramps.filter((r) => r.server === server);
    assert.equal(ramps.length, 1, `${server} ramp`);
    for (const s of ramps[0]!.steps) {
      assert.ok(s.p99 >= s.p50, `${server} ${s.rate}: p99 ≥ p50`);
      assert.ok(s.serverCpuUsPerDelivery >= 0, `${server} ${s.rate}: CPU measured`);
      if (server.startsWith("relay")) assert.ok(s.ack && s.ack.p99 >= s.ack.p50, `${server} ${s.rate}: acks timed`);
    }
    assert.ok(ramps[0]!.steps.some((s) => s.rate === 100), `${server}: 100 msg/s measured`);
  }
  for (const server of ["relay", "socketio", "ws"]) {
    const storm = res.storms.find((s) => s.server === server);
    assert.ok(storm && storm.joined > 0 && storm.seconds > 0, `${server} storm`);
  }
  assert.equal(res.history.length, 1);
  assert.equal(res.history[0]!.page.errors + res.history[0]!.resume.errors, 0);
  // In CI PostgreSQL and Redis run on the machine: their part must have run.
  const pgSkipped = String(res.meta.postgres).startsWith("skipped");
  if (process.env.CI === "true") assert.equal(pgSkipped, false, `CI=true: the PostgreSQL + Redis part must run (${res.meta.postgres})`);
  else if (pgSkipped) console.log(`bench test: ${res.meta.postgres}`);
  if (!pgSkipped) {
    for (const server of ["relay-pg", "relay-pg-redis"]) assert.ok(res.ramps.some((r) => r.server === server && r.steps.length), server);
  }
});
