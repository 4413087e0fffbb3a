/**
 * The deployment files users run. Images cannot be pulled here, so the
 * compose file is validated (where a compose tool is installed), and
 * deploy/nginx.conf is run for real: nginx in front of two node processes on
 * PostgreSQL and Redis, with Socket.IO over WebSocket and long-polling, /ws,
 * SSE and long-poll passing through it, and people on different nodes
 * chatting. The Dockerfile is checked against the files it copies.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { io as connect } from "socket.io-client";
import WebSocket from "ws";
import type { LogPage } from "./contract";
import { ROOT } from "./paths";
import { clusterDatabase } from "./test/databases";
import { freePort, redisOrSkip, redisPrefix, REDIS_URL, startNode, type NodeProcess } from "./test/cluster";
import { sseFollower, until } from "./test/followers";
import { connected, joinAsGuest, nextEvent, requirePostgres } from "./test/harness";

const DEPLOY = path.join(ROOT, "deploy");
const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: "ignore" }).status === 0;

/** A tool the CI installs: missing under CI=true is a failure, elsewhere a printed skip. */
function toolOrSkip(name: string, present: boolean): string | false {
  if (present) return false;
  const reason = `${name} is not installed`;
  if (process.env.CI === "true") throw new Error(`${reason} (.ci/run installs it)`);
  console.log(`# skipped: ${reason}`);
  return reason;
}

// Every await before the first describe: the runner (--test-force-exit) ends a file once the tests it knows of are done.
const nginxSkip = toolOrSkip("nginx", has("nginx", ["-v"]));
const servicesSkip = nginxSkip || (await requirePostgres()) || (await redisOrSkip());

describe("docker-compose.yml", () => {
  const compose = has("docker", ["compose", "version"]) ? ["docker", "compose"] : has("docker-compose", ["version"]) ? ["docker-compose"] : null;
  // The rule: where docker (a compose tool) is present it is checked, where not, skipped with a reason.
  const skip = compose ? false : "neither `docker compose` nor `docker-compose` is installed";
  if (skip) console.log(`# skipped: ${skip}`);

  it("is a valid compose file with two app nodes, PostgreSQL, Redis and nginx", { skip }, () => {
    const [cmd, ...pre] = compose!;
    const run = spawnSync(cmd!, [...pre, "-f", path.join(DEPLOY, "docker-compose.yml"), "config"], {
      env: { ...process.env, BETTER_AUTH_SECRET: "x".repeat(64) },
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    for (const service of ["app1:", "app2:", "postgres:", "redis:", "nginx:"]) assert.ok(run.stdout.includes(service), service);
    // Without the shared secret it refuses to start, naming what is missing.
    const bare = spawnSync(cmd!, [...pre, "-f", path.join(DEPLOY, "docker-compose.yml"), "config"], {
      env: { ...process.env, BETTER_AUTH_SECRET: "" },
      encoding: "utf8",
    });
    assert.notEqual(bare.status, 0);
    assert.match(bare.stderr, /BETTER_AUTH_SECRET/);
  });
});

describe("Dockerfile", () => {
  it("is multi-stage, runs as a non-root user with a data volume, checks /api/ready, and copies files that exist", () => {
    const text = readFileSync(path.join(DEPLOY, "Dockerfile"), "utf8");
    assert.equal(text.match(/^FROM /gm)?.length, 2, "a build stage and a runtime stage");
    assert.match(text, /^USER node$/m);
    assert.match(text, /^VOLUME \/app\/data$/m);
    assert.match(text, /^HEALTHCHECK .*\n.*\/api\/ready/m);
    assert.match(text, /^CMD \["node", "--enable-source-maps", "dist\/index\.mjs"\]$/m, "runs the compiled server, as `npm start` does");
    const start = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.start!;
    assert.match(start, /node .*dist\/index\.mjs/, "npm start runs compiled JavaScript");
    // Every source the runtime stage copies from the build stage is a file of the repository or a build output.
    const outputs = new Set(["dist", ".next", "node_modules"]);
    for (const m of text.matchAll(/^COPY --from=build (.+) \S+$/gm)) {
      for (const src of m[1]!.split(/\s+/)) {
        const rel = src.replace(/^\/app\/?/, "");
        if (outputs.has(rel)) continue;
        assert.ok(existsSync(path.join(ROOT, rel)), `${rel} exists`);
      }
    }
  });
});

describe("deploy/nginx.conf in front of two nodes", { skip: servicesSkip || false }, () => {
  let nginx: ChildProcess | undefined;
  let dir: string;
  let url: string;
  const nodes: NodeProcess[] = [];
  let db: Awaited<ReturnType<typeof clusterDatabase>>;
  let prefix: ReturnType<typeof redisPrefix>;

  before(async () => {
    db = await clusterDatabase();
    prefix = redisPrefix();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: prefix.prefix,
      BETTER_AUTH_SECRET: randomBytes(32).toString("hex"),
      TRUST_PROXY: "loopback",
    };
    nodes.push(await startNode({ ...env, NODE_ID: "behind-nginx-1" }), await startNode({ ...env, NODE_ID: "behind-nginx-2" }));
    // The shipped config, with the compose service names replaced by these nodes and a free port.
    const port = await freePort();
    dir = mkdtempSync(path.join(os.tmpdir(), "relay-nginx-"));
    const conf = readFileSync(path.join(DEPLOY, "nginx.conf"), "utf8")
      .replace("server app1:3000", `server 127.0.0.1:${nodes[0]!.port}`)
      .replace("server app2:3000", `server 127.0.0.1:${nodes[1]!.port}`)
      .replace("listen 80;", `listen 127.0.0.1:${port};`);
    assert.ok(!/app[12]:3000|listen 80;/.test(conf), "the upstream and listen lines were found");
    writeFileSync(path.join(dir, "relay.conf"), conf);
    writeFileSync(
      path.join(dir, "nginx.conf"),
      `daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn; events {}
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  include ${dir}/relay.conf;
}\n`,
    );
    const check = spawnSync("nginx", ["-t", "-p", dir, "-c", path.join(dir, "nginx.conf")], { encoding: "utf8" });
    assert.equal(check.status, 0, check.stderr);
    nginx = spawn("nginx", ["-p", dir, "-c", path.join(dir, "nginx.conf")], { stdio: "ignore" });
    url = `http://127.0.0.1:${port}`;
    await until(() => false, 300).catch(() => {});
    assert.ok(await until(() => existsSync(path.join(dir, "nginx.pid")), 5000), "nginx started");
  });

  after(async () => {
    nginx?.kill("SIGQUIT");
    for (const node of nodes) await node.kill();
    await prefix?.cleanup();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("carries every transport, sticks sessions to a node, and makes one chat of both nodes", async () => {
    // Ask each node directly who is there, and through nginx: requests reach both nodes.
    const ids = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const cookie = await joinAsGuest(url, `Through nginx ${i}`);
      const res = await fetch(`${url}/api/health`, { headers: { cookie } });
      ids.add(((await res.json()) as { node: string }).node);
    }
    assert.equal(ids.size, 2, "different sessions land on different nodes");

    const aliceCookie = await joinAsGuest(url, "Alice via nginx");
    const bobCookie = await joinAsGuest(url, "Bob via nginx");
    const alice = connect(url, { transports: ["websocket"], extraHeaders: { cookie: aliceCookie, origin: url }, reconnection: false, forceNew: true });
    const bob = connect(url, { transports: ["polling"], extraHeaders: { cookie: bobCookie, origin: url }, reconnection: false, forceNew: true });
    try {
      await Promise.all([connected(alice), connected(bob)]);
      const a = await alice.emitWithAck("room:join", { room: "general" });
      const b = await bob.emitWithAck("room:join", { room: "general" });
      assert.ok(a.ok && b.ok);

      // SSE and long-poll through nginx, from the same cursor.
      const sse = sseFollower(url, b.head);
      const poll = fetch(`${url}/api/rooms/general/messages?after=${b.head}&wait=20`, { headers: { cookie: bobCookie } });
      const native = new WebSocket(`${url.replace("http", "ws")}/ws`, { headers: { cookie: bobCookie, origin: url } });
      await new Promise<void>((resolve, reject) => (native.once("open", () => resolve()), native.once("error", reject)));
      native.send(JSON.stringify({ type: "room:join", id: 1, room: "general" }));
      const nativeGot = new Promise<string>((resolve) => {
        native.on("message", (d) => {
          const f = JSON.parse(d.toString()) as { type: string; message?: { body: string } };
          if (f.type === "message:new") resolve(f.message!.body);
        });
      });
      await new Promise((r) => setTimeout(r, 300));

      const seen = nextEvent(bob, "message:new", (m) => m.body === "hello through nginx", 5000);
      const sent = await alice.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "hello through nginx" });
      assert.ok(sent.ok);
      const started = Date.now();
      await seen;
      assert.equal(await nativeGot, "hello through nginx");
      const page = (await (await poll).json()) as LogPage;
      assert.deepEqual(page.events.map((e) => e.seq), [sent.message.seq]);
      // Unbuffered: the SSE event arrives about as fast as the socket's.
      assert.ok(await until(() => sse.seqs().includes(sent.message.seq), 2000), "SSE is not buffered by nginx");
      assert.ok(Date.now() - started < 2000);
      // Polling kept its session: many round trips, one sticky node.
      for (let i = 0; i < 5; i++) assert.ok((await bob.timeout(3000).emitWithAck("room:join", { room: "general" })).ok);
      sse.close();
      native.close();
    } finally {
      alice.close();
      bob.close();
    }
  });
});
