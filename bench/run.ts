/**
 * `npm run bench`: Relay against three baselines in one run, ratios reported.
 *
 *   npm run bench                 # full: 3 reps, 500 subscribers, 3,000-client storm, 1M-message history
 *   npm run bench -- --quick      # about a minute, small sizes, 1 rep (CI: proves the bench still runs)
 *   options: --reps N, --subs N, --storm N, --size BYTES, --history N, --no-write, --build,
 *            --only fanout,storm,sse,history,pg  --servers relay,socketio,ws,sse  --rates 50,100 (the ramp's steps)
 *            --profile (CPU profiles of every server into bench/profiles/; read them with
 *            `npx tsx bench/lib/proftop.ts bench/profiles/<file>.cpuprofile`)
 *            --conditions "text" (what is known about the machine meanwhile; printed in the docs)
 *   npx tsx bench/run.ts --render bench/results/latest.json   # rewrite the docs from saved results
 *
 * Servers, each started fresh, in turn, on 127.0.0.1, pinned to core 0 (the
 * generator, this process, to the last core) when `taskset` exists:
 *   - relay: the production build (`npm run build` output) started as users
 *     start it (`node --enable-source-maps dist/index.mjs`, NODE_ENV=production),
 *     on a throwaway SQLite file, auth and persistence on;
 *   - socketio: bench/servers/socketio-min.mjs, the hand-written chat;
 *   - ws: bench/servers/ws-min.mjs, a bare `ws` broadcast;
 *   - sse: bench/servers/sse-min.mjs, a bare node:http SSE fan-out.
 * Reps are interleaved: rep 1 of every server, then rep 2 (in rotated order), ...
 *
 * Writes docs/benchmarks.md, docs/benchmarks-latency.svg and
 * bench/results/latest.json (or bench/results/quick.json with --quick, which
 * leaves the docs alone unless --write is given; a run narrowed by --only or
 * --servers writes bench/results/partial.json and leaves the docs alone too). Exits nonzero only when
 * the bench itself failed (a server did not start, clients could not
 * connect); slow or lossy results are reported, not failed.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { HOST } from "./lib/clients";
import { waitIdle, beginRamp, endRamp, guestCookies, httpLatency, openFanout, SENDERS, step, storm, type Kind, type StepResult } from "./lib/load";
import { CORES, HAS_TASKSET, listening, pinGenerator, procCpuUs, startProc, type Proc } from "./lib/procs";
import { latencySvg, ratioTable, type History, type Ramp, type Results, type Storm } from "./lib/report";
import { continueRamp, maxSustained, sustained } from "./lib/stats";
import { seedHistory } from "./lib/seed";

const ROOT = path.resolve(import.meta.dirname, "..");
const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    reps: { type: "string" },
    subs: { type: "string" },
    storm: { type: "string" },
    size: { type: "string" },
    history: { type: "string" },
    write: { type: "boolean" },
    "no-write": { type: "boolean", default: false },
    build: { type: "boolean", default: false },
    only: { type: "string" },
    servers: { type: "string" },
    render: { type: "string" },
    profile: { type: "boolean", default: false },
    rates: { type: "string" },
    /** What the operator knows about the machine during the run (shared, quiet, ...), for the docs. */
    conditions: { type: "string" },
  },
});
const QUICK = args.quick;
const CFG = {
  reps: Number(args.reps ?? (QUICK ? 1 : 3)),
  subs: Number(args.subs ?? (QUICK ? 50 : 500)),
  storm: Number(args.storm ?? (QUICK ? 100 : 3000)),
  size: Number(args.size ?? 100),
  history: Number(args.history ?? (QUICK ? 20_000 : 1_000_000)),
  rates: args.rates ? args.rates.split(",").map(Number) : QUICK ? [50, 100, 200] : [50, 100, 150, 200, 300, 400, 600, 800, 1000],
  mustReach: [50, 100, 200],
  stepSeconds: QUICK ? 1 : 4,
  drainMs: QUICK ? 1500 : 3000,
  pgRates: QUICK ? [50] : [50, 100],
  historyRequests: QUICK ? 50 : 300,
};
/** How long the ramp watches a connected, quiet server before its first step. */
const IDLE_MS = QUICK ? 1000 : 3000;
const only = args.only ? new Set(args.only.split(",")) : null;
const want = (what: string) => !only || only.has(what);
const serverSet = args.servers ? new Set(args.servers.split(",")) : null;
const wantServer = (s: string) => !serverSet || serverSet.has(s);
const PARTIAL = Boolean(only || serverSet || args.rates);
const WRITE_DOCS = args["no-write"] ? false : (args.write ?? !(QUICK || PARTIAL));
const PROFILES = path.join(ROOT, "bench/profiles");
const log = (...a: unknown[]) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

const WORK = mkdtempSync(path.join(os.tmpdir(), "relay-bench-"));
const LOGS = path.join(WORK, "logs");
mkdirSync(LOGS);
const errors: string[] = [];
const results: Results = { meta: {}, ramps: [], storms: [], history: [], errors };

// ---- Servers -------------------------------------------------------------------------------

function ensureBuild() {
  const built = existsSync(path.join(ROOT, "dist/index.mjs")) && existsSync(path.join(ROOT, ".next/BUILD_ID"));
  if (built && !args.build) return;
  log(built ? "building (--build)" : "no production build yet: npm run build");
  const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error("npm run build failed");
}

const relaySecret = randomBytes(32).toString("hex");

async function startRelay(tag: string, extra: Record<string, string> = {}, dataDir?: string): Promise<Proc> {
  const dir = dataDir ?? mkdtempSync(path.join(WORK, `${tag}-`));
  return startProc(
    tag,
    [...profiling(tag), "--enable-source-maps", "dist/index.mjs"],
    {
      NODE_ENV: "production",
      DATABASE_URL: `file:${path.join(dir, "chat.db")}`,
      BETTER_AUTH_SECRET: relaySecret,
      LOG_LEVEL: "warn",
      NEXT_TELEMETRY_DISABLED: "1",
      // One address holds every bench client, so the per-address and per-user
      // abuse limits are raised; every other check stays on.
      RATE_MESSAGES_MAX: "100000000",
      RATE_SIGNIN_MAX: "100000000",
      SSE_MAX_PER_ADDRESS: "100000",
      SSE_MAX_TOTAL: "100000",
      ...extra,
    },
    {
      cwd: ROOT,
      logFile: path.join(LOGS, `${tag}.log`),
      ready: async (port) => (await fetch(`http://${HOST}:${port}/api/ready`).catch(() => null))?.ok === true,
    },
  );
}

/** With --profile, node's flags for a CPU profile of this server. */
function profiling(tag: string): string[] {
  if (!args.profile) return [];
  mkdirSync(PROFILES, { recursive: true });
  return ["--cpu-prof", `--cpu-prof-dir=${PROFILES}`, `--cpu-prof-name=${tag}-${Date.now()}.cpuprofile`];
}

function startBaseline(kind: "socketio" | "ws" | "sse"): Promise<Proc> {
  const file = { socketio: "socketio-min.mjs", ws: "ws-min.mjs", sse: "sse-min.mjs" }[kind];
  return startProc(kind, [...profiling(kind), path.join(ROOT, "bench/servers", file)], { NODE_ENV: "production" }, { cwd: ROOT, logFile: path.join(LOGS, `${kind}.log`), ready: listening });
}

// ---- Measures -------------------------------------------------------------------------------

async function ramp(server: string, kind: Kind, proc: Proc, rep: number, cookies: string[], rates = CFG.rates, fixed = false): Promise<Ramp> {
  const waited = await waitIdle(proc.pid, QUICK ? 10_000 : 60_000);
  if (waited > 1.5) log(`${server} rep ${rep}: waited ${waited.toFixed(0)} s for the server to go quiet`);
  const f = await openFanout(kind, proc.port, CFG.subs, cookies);
  const steps: StepResult[] = [];
  let idleCpuShare: number | undefined;
  beginRamp();
  try {
    await new Promise((r) => setTimeout(r, 500));
    // What the server spends with every subscriber connected and nothing sent (timers, pings, housekeeping).
    const idle0 = procCpuUs(proc.pid);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    idleCpuShare = (procCpuUs(proc.pid) - idle0) / (IDLE_MS * 1000);
    log(`${server} rep ${rep}: idle with ${CFG.subs} subscribers, ${(idleCpuShare * 100).toFixed(1)} % of a core`);
    // A short warm-up (JIT, pools), not recorded.
    await step(f, proc.pid, rates[0]!, Math.min(1, CFG.stepSeconds), CFG.size, CFG.drainMs);
    await endRamp(CFG.drainMs);
    beginRamp();
    for (const rate of rates) {
      if (!fixed && !continueRamp(steps, CFG.mustReach)) break;
      // Past the first failure, only the rates the table needs: each further step only deepens the backlog.
      if (!fixed && steps.some((s) => !sustained(s)) && !CFG.mustReach.includes(rate)) continue;
      const s = await step(f, proc.pid, rate, CFG.stepSeconds, CFG.size, CFG.drainMs);
      steps.push(s);
      log(
        `${server} rep ${rep} ${rate} msg/s: p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} ms, missing at drain ${s.missingAtDrain}, cpu ${s.serverCpuUsPerDelivery.toFixed(1)} µs/delivery, server ${(s.serverCpuShare * 100).toFixed(0)} %, generator ${(s.generatorCpuShare * 100).toFixed(0)} %` +
          (s.ack ? `, ack p50 ${s.ack.p50.toFixed(1)} p99 ${s.ack.p99.toFixed(1)} ms (${s.ack.errors} refused${s.ack.firstError ? `: ${s.ack.firstError}` : ""}, ${s.ack.missing} late)` : ""),
      );
      await new Promise((r) => setTimeout(r, 300));
    }
    const lost = await endRamp(QUICK ? 30_000 : 60_000, () => f.acks?.outstanding ?? 0);
    steps.forEach((s, i) => (s.lost = lost[i] ?? s.lost));
    const late = steps.reduce((n, s) => n + s.missingAtDrain - s.lost, 0);
    log(`${server} rep ${rep}: ${steps.reduce((n, s) => n + s.lost, 0)} deliveries had not arrived when the ramp ended, ${late} arrived after their step's drain time`);
  } finally {
    f.close();
  }
  const max = maxSustained(steps.map((s) => ({ ...s, lost: s.missingAtDrain })));
  const atMax = steps.find((s) => s.rate === max);
  return {
    server,
    rep,
    steps,
    maxSustained: max,
    ...(idleCpuShare === undefined ? {} : { idleCpuShare }),
    ceilingReached: max === rates.at(-1),
    generatorBoundAtMax: steps.some((s) => s.rate > max && s.generatorBound) || !!atMax?.generatorBound,
  };
}

async function stormOf(server: "relay" | "socketio" | "ws", proc: Proc, rep: number, cookies: string[]): Promise<Storm> {
  const s = await storm(server, proc.port, proc.pid, CFG.storm, cookies, { concurrency: 100, timeoutMs: QUICK ? 30_000 : 60_000, idleMs: QUICK ? 1000 : 3000, deadlineMs: QUICK ? 60_000 : 150_000 });
  log(`${server} rep ${rep} storm: ${s.joined}/${s.clients} in ${s.seconds.toFixed(2)} s, ${(s.rssPerConnection / 1024).toFixed(1)} KB RSS each${s.firstError ? ` (first error: ${s.firstError})` : ""}`);
  if (s.joined < s.clients) errors.push(`${server} rep ${rep}: ${s.clients - s.joined} of ${s.clients} storm clients failed (${s.firstError})`);
  return { server, rep, clients: s.clients, joined: s.joined, seconds: s.seconds, rssPerConnection: s.rssPerConnection, failed: s.failed };
}

/** The guests of rep 1, kept for the later reps: a copy of the database right after their sign-ins, and their cookies. */
let signedIn: { db: string; cookies: string[] } | null = null;

async function runRelay(rep: number) {
  if (!signedIn) {
    // Sign-ins once, on a server of their own; every rep then starts a fresh server on a copy of the result.
    const dir = mkdtempSync(path.join(WORK, "signin-"));
    const proc = await startRelay("relay-signin", {}, dir);
    try {
      const n = Math.max(CFG.storm, CFG.subs + SENDERS);
      const t0 = Date.now();
      const cookies = await guestCookies(proc.port, n, "b");
      log(`relay: ${n} guests signed in in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      const snapshot = path.join(WORK, "signed-in.db");
      const { default: Database } = await import("better-sqlite3");
      const db = new Database(path.join(dir, "chat.db"), { readonly: true });
      db.exec(`VACUUM INTO '${snapshot.replace(/'/g, "''")}'`);
      db.close();
      signedIn = { db: snapshot, cookies };
    } finally {
      await proc.stop();
    }
  }
  const dir = mkdtempSync(path.join(WORK, `relay-${rep}-`));
  copyFileSync(signedIn.db, path.join(dir, "chat.db"));
  const proc = await startRelay(`relay-${rep}`, {}, dir);
  try {
    const { cookies } = signedIn;
    if (want("storm")) results.storms.push(await stormOf("relay", proc, rep, cookies));
    if (want("fanout")) results.ramps.push(await ramp("relay", "relay", proc, rep, cookies));
    if (want("sse")) results.ramps.push(await ramp("relay-sse", "relay-sse", proc, rep, cookies));
  } finally {
    await proc.stop();
  }
}

async function runBaseline(kind: "socketio" | "ws" | "sse", rep: number) {
  const proc = await startBaseline(kind);
  try {
    if (kind !== "sse" && want("storm")) results.storms.push(await stormOf(kind, proc, rep, []));
    if (want(kind === "sse" ? "sse" : "fanout")) results.ramps.push(await ramp(kind, kind, proc, rep, []));
  } finally {
    await proc.stop();
  }
}

let historyDir: string | null = null;
let historyHead = 0;

async function runHistory(rep: number) {
  if (!historyDir) {
    historyDir = mkdtempSync(path.join(WORK, "history-"));
    const t0 = Date.now();
    historyHead = await seedHistory({ dataDir: historyDir, messages: CFG.history, size: CFG.size, start: (dir) => startRelay("history-seed", {}, dir), log });
    log(`seeded ${CFG.history} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s (head ${historyHead})`);
  }
  const proc = await startRelay(`history-${rep}`, {}, historyDir);
  try {
    const [cookie] = await guestCookies(proc.port, 1, `h${rep}`);
    const base = `/api/rooms/general/messages`;
    const rand = () => 2 + Math.floor(Math.random() * (historyHead - 1));
    const hasMessages = (b: string) => b.includes('"messages":[{');
    await httpLatency(proc.port, cookie!, 20, () => `${base}?before=${rand()}`, hasMessages); // warm-up
    const page = await httpLatency(proc.port, cookie!, CFG.historyRequests, () => `${base}?before=${rand()}`, hasMessages);
    const newest = await httpLatency(proc.port, cookie!, CFG.historyRequests, () => base, hasMessages);
    const resume = await httpLatency(proc.port, cookie!, CFG.historyRequests, () => `${base}?after=${rand() - 1}&wait=0`, (b) => b.includes('"events":[{'));
    const h: History = { rep, messages: CFG.history, page, newest, resume };
    log(`history rep ${rep}: page p50 ${page.p50.toFixed(2)} p99 ${page.p99.toFixed(2)}, newest p99 ${newest.p99.toFixed(2)}, resume p50 ${resume.p50.toFixed(2)} p99 ${resume.p99.toFixed(2)} ms (errors ${page.errors + newest.errors + resume.errors})`);
    if (page.errors + newest.errors + resume.errors) errors.push(`history rep ${rep}: ${page.errors + newest.errors + resume.errors} failed requests`);
    results.history.push(h);
  } finally {
    await proc.stop();
  }
}

async function pgAvailable(): Promise<string | null> {
  const { postgresUnavailable } = await import("../prisma/scripts/scratch-pg");
  const why = await postgresUnavailable();
  if (why) return why;
  const { Redis } = await import("ioredis");
  const r = new Redis(process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
    return null;
  } catch (err) {
    return `Redis: ${(err as Error).message}`;
  } finally {
    r.disconnect();
  }
}

async function runPostgres(rep: number) {
  const { createScratchDatabase } = await import("../prisma/scripts/scratch-pg");
  const db = await createScratchDatabase("relay_bench");
  const prefix = `relay-bench-${randomBytes(4).toString("hex")}:`;
  const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
  try {
    const order = rep % 2 ? ["relay-pg-redis", "relay-pg"] : ["relay-pg", "relay-pg-redis"];
    // The sessions live in the database both servers share: sign in once, on the first.
    let cookies: string[] | null = null;
    for (const server of order) {
      const proc = await startRelay(`${server}-${rep}`, { DATABASE_URL: db.url, ...(server === "relay-pg-redis" ? { REDIS_URL: redisUrl, REDIS_PREFIX: prefix } : {}) });
      try {
        cookies ??= await guestCookies(proc.port, CFG.subs + SENDERS, `p${rep}`);
        results.ramps.push(await ramp(server, "relay", proc, rep, cookies, CFG.pgRates, true));
      } finally {
        await proc.stop();
      }
    }
  } finally {
    await db.drop().catch((err: Error) => errors.push(`dropping ${db.name}: ${err.message}`));
    const { Redis } = await import("ioredis");
    const r = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      let cursor = "0";
      do {
        const [next, keys] = await r.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
        cursor = next;
        if (keys.length) await r.del(...keys);
      } while (cursor !== "0");
    } finally {
      r.disconnect();
    }
  }
}

// ---- The run --------------------------------------------------------------------------------

function versions(): Record<string, string> {
  const pkg = (name: string) => {
    try {
      return (JSON.parse(readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
    } catch {
      return "?";
    }
  };
  const relay = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }).stdout?.toString().trim() ?? "?";
  return { relay: `${relay} (${commit})`, node: process.versions.node, "socket.io": pkg("socket.io"), ws: pkg("ws"), "better-sqlite3": pkg("better-sqlite3"), "@prisma/client": pkg("@prisma/client"), next: pkg("next") };
}

const resultsFile = path.join(ROOT, "bench/results", QUICK ? "quick.json" : PARTIAL ? "partial.json" : "latest.json");

/** The results file's text: fractions kept to three decimals. */
const resultsJson = (r: Results) => JSON.stringify(r, (_, v) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toFixed(3)) : v), 1) + "\n";

/** Writes the results so far (after every part, so that an interrupted run keeps what it measured). */
function saveResults(partial: boolean) {
  mkdirSync(path.dirname(resultsFile), { recursive: true });
  results.meta.partial = partial;
  writeFileSync(resultsFile, resultsJson(results));
}

async function render(file: string) {
  const saved = JSON.parse(readFileSync(file, "utf8")) as Results;
  if (args.conditions) {
    saved.meta.conditions = args.conditions;
    writeFileSync(file, resultsJson(saved));
  }
  const { markdown } = ratioTable(saved);
  const { benchmarksDoc } = await import("./lib/doc");
  writeFileSync(path.join(ROOT, "docs/benchmarks-latency.svg"), latencySvg(saved));
  writeFileSync(path.join(ROOT, "docs/benchmarks.md"), benchmarksDoc(saved, markdown));
  console.log(markdown);
  rmSync(WORK, { recursive: true, force: true });
}

async function main() {
  if (wantServer("relay")) ensureBuild();
  const pinned = pinGenerator();
  const cpu = os.cpus()[0]?.model ?? "?";
  Object.assign(results.meta, {
    date: new Date().toISOString(),
    ...(args.conditions ? { conditions: args.conditions } : {}),
    quick: QUICK,
    reps: CFG.reps,
    subscribers: CFG.subs,
    stormClients: CFG.storm,
    messageBytes: CFG.size,
    historyMessages: CFG.history,
    stepSeconds: CFG.stepSeconds,
    rates: CFG.rates.join(","),
    settle: `after the last step, until every send was acked and then nothing arrived for 2 s, at most ${QUICK ? 30 : 60} s`,
    machine: `${cpu}, ${CORES} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`,
    loadavgAtStart: os.loadavg().map((x) => x.toFixed(2)).join(" "),
    pinning: HAS_TASKSET && CORES > 1 ? `servers on core 0, generator on core ${CORES - 1}${pinned ? "" : " (pinning the generator failed)"}` : "none (no taskset or one core)",
    ...Object.fromEntries(Object.entries(versions()).map(([k, v]) => [`version ${k}`, v])),
  });
  log(`work dir ${WORK}; ${JSON.stringify(CFG)}`);
  const pgWhy = want("pg") ? await pgAvailable() : "not selected";
  if (pgWhy) log(`PostgreSQL + Redis part skipped: ${pgWhy}`);
  results.meta.postgres = pgWhy ? `skipped: ${pgWhy}` : "postgresql on 127.0.0.1, redis on 127.0.0.1";

  const servers = (["relay", "socketio", "ws", "sse"] as const).filter(wantServer);
  for (let rep = 1; rep <= CFG.reps; rep++) {
    const order = servers.map((_, i) => servers[(i + rep - 1) % servers.length]!);
    for (const s of order) {
      try {
        if (s === "relay") {
          if (want("fanout") || want("storm") || want("sse")) await runRelay(rep);
        } else if (want(s === "sse" ? "sse" : "fanout") || (s !== "sse" && want("storm"))) await runBaseline(s, rep);
      } catch (err) {
        log(`${s} rep ${rep} FAILED: ${(err as Error).stack}`);
        errors.push(`${s} rep ${rep}: ${(err as Error).message}`);
      }
      saveResults(true);
    }
    for (const [name, fn] of [
      ["history", runHistory],
      ["pg", runPostgres],
    ] as const) {
      if (!want(name) || !wantServer("relay") || (name === "pg" && pgWhy)) continue;
      try {
        await fn(rep);
      } catch (err) {
        log(`${name} rep ${rep} FAILED: ${(err as Error).stack}`);
        errors.push(`${name} rep ${rep}: ${(err as Error).message}`);
      }
      saveResults(true);
    }
  }
  results.meta.loadavgAtEnd = os.loadavg().map((x) => x.toFixed(2)).join(" ");

  const { markdown } = ratioTable(results);
  console.log(`\n${markdown}\n`);
  if (errors.length) console.log(`Errors:\n${errors.map((e) => `- ${e}`).join("\n")}\n`);

  saveResults(false);
  log(`wrote ${path.relative(ROOT, resultsFile)}`);
  if (WRITE_DOCS) {
    const { benchmarksDoc } = await import("./lib/doc");
    writeFileSync(path.join(ROOT, "docs/benchmarks-latency.svg"), latencySvg(results));
    writeFileSync(path.join(ROOT, "docs/benchmarks.md"), benchmarksDoc(results, markdown));
    log("wrote docs/benchmarks.md and docs/benchmarks-latency.svg");
  }
  if (!errors.length) rmSync(WORK, { recursive: true, force: true });
  // The bench is broken (not slow) when a part produced no result at all.
  const nothing =
    wantServer("relay") &&
    ((want("fanout") && !results.ramps.some((r) => r.server === "relay" && r.steps.length)) || (want("storm") && !results.storms.length) || (want("history") && !results.history.length));
  if (errors.length || nothing) {
    console.error(`bench: ${errors.length} error(s)${nothing ? ", and a part produced no result" : ""}; logs were in ${LOGS}`);
    process.exitCode = 1;
  }
}

if (args.render) await render(args.render);
else await main();
