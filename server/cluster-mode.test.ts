/**
 * `npm run start:cluster` as users run it: the compiled primary
 * (dist/main-cluster.mjs) with two workers behind one port, on PostgreSQL and
 * Redis. Polling and WebSocket clients reach workers through the sticky
 * primary, chat across workers, and SIGTERM stops everything within 10 s.
 * It needs the production build (`npm test` builds before running this).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { io as connect } from "socket.io-client";
import { ROOT } from "./paths";
import { clusterDatabase } from "./test/databases";
import { freePort, redisOrSkip, redisPrefix, REDIS_URL } from "./test/cluster";
import { connected, joinAsGuest, nextEvent, requirePostgres } from "./test/harness";

const ENTRY = path.join(ROOT, "dist/main-cluster.mjs");

function buildOrSkip(): string | false {
  if (existsSync(ENTRY) && existsSync(path.join(ROOT, ".next/BUILD_ID"))) return false;
  const reason = "the production build is missing (run `npm run build`)";
  if (process.env.CI === "true") throw new Error(`${reason}; npm test builds first`);
  console.log(`# skipped: ${reason}`);
  return reason;
}

const skip = buildOrSkip() || (await requirePostgres()) || (await redisOrSkip());

describe("cluster mode: node:cluster + @socket.io/sticky", { skip: skip || false }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  // Bounded: a step that never answers fails this test instead of holding CI until its own limit.
  it("serves one chat from two workers behind one port, and stops on SIGTERM", { timeout: 120_000 }, async () => {
    const db = await clusterDatabase();
    const prefix = redisPrefix();
    cleanups.push(() => db.drop(), () => prefix.cleanup());
    const port = await freePort();
    const child = spawn(process.execPath, [ENTRY], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: String(port),
        HOST: "127.0.0.1",
        WORKERS: "2",
        DATABASE_URL: db.url,
        REDIS_URL,
        REDIS_PREFIX: prefix.prefix,
        BETTER_AUTH_SECRET: randomBytes(32).toString("hex"),
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Both pipes are read for the whole run: a pipe nobody reads fills (64 KiB)
    // and the next write to it blocks the writer (stdio pipes are synchronous
    // on Linux), which froze this cluster under a loaded CI run. The tail goes
    // into any failure.
    const output: string[] = [];
    const keep = (chunk: string) => {
      output.push(chunk);
      if (output.length > 200) output.shift();
    };
    child.stderr!.on("data", (d: Buffer) => keep(d.toString()));
    const withOutput = (err: unknown) => {
      throw new Error(`${(err as Error).message}\n--- the cluster's output (tail) ---\n${output.join("").slice(-8000)}`);
    };
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    });
    // Ready when both workers say so (each logs one JSON line).
    let ready = 0;
    let timer: NodeJS.Timeout | undefined;
    const readyBoth = new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        keep(`${line}\n`);
        if (line.includes("worker ready") && ++ready === 2) resolve();
      });
      child.once("exit", (code) => reject(new Error(`cluster exited early with ${code}`)));
      timer = setTimeout(() => reject(new Error("workers did not start in 60 s")), 60_000);
    });
    // Cleared once ready: a pending timer would keep this test's process alive for its whole minute.
    await readyBoth.finally(() => clearTimeout(timer)).catch(withOutput);
    const url = `http://127.0.0.1:${port}`;

    // New connections spread over the workers (least-connection by Socket.IO sessions), each a node of its own.
    const nodes = new Set<string>();
    const sockets: ReturnType<typeof connect>[] = [];
    for (let i = 0; i < 4; i++) {
      const cookie = await joinAsGuest(url, `Worker visitor ${i}`);
      const s = connect(url, { transports: [i % 2 ? "polling" : "websocket"], extraHeaders: { cookie, origin: url }, reconnection: false, forceNew: true });
      sockets.push(s);
      await connected(s).catch((err) => withOutput(new Error(`client ${i} (${i % 2 ? "polling" : "websocket"}): ${(err as Error).message}`)));
      const joined = await s.timeout(10_000).emitWithAck("room:join", { room: "general" }).catch(withOutput);
      assert.ok(joined.ok);
    }
    cleanups.push(() => sockets.forEach((s) => s.close()));
    // Where the four landed, as the cluster's presence records it: "<node>|<user>" per joined user.
    const redis = new Redis(REDIS_URL);
    cleanups.push(() => void redis.disconnect());
    const fields = await redis.hkeys(`${prefix.prefix}presence:general`);
    for (const f of fields) nodes.add(f.slice(0, f.lastIndexOf("|")));
    assert.equal(nodes.size, 2, `sockets spread over both workers (${fields.join(", ")})`);

    // Everyone hears everyone, polling clients included (their polls stick to their worker).
    for (const [i, sender] of sockets.entries()) {
      const body = `from worker client ${i}`;
      const heard = sockets.filter((s) => s !== sender).map((s) => nextEvent(s, "message:new", (m) => m.body === body, 5000));
      const ack = await sender.timeout(10_000).emitWithAck("message:send", { room: "general", clientId: randomUUID(), body });
      assert.ok(ack.ok);
      await Promise.all(heard);
    }

    const stopping = Date.now();
    child.kill("SIGTERM");
    await exited;
    assert.ok(Date.now() - stopping < 10_000, `stopped in ${Date.now() - stopping} ms`);
  });
});
