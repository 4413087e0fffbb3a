/**
 * Helpers for tests that need several real nodes: external services
 * (PostgreSQL, Redis) found or refused, node processes on loopback ports, and
 * small proxies that play the network's part (a TCP proxy that can be cut, an
 * HTTP load balancer with or without stickiness).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { Redis } from "ioredis";

export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

function reachable(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

/**
 * Whether Redis answers. In CI (CI=true) a missing service is a failure,
 * not a skip: the suite must not go green by not running.
 */
export async function redisOrSkip(): Promise<string | null> {
  const url = new URL(REDIS_URL);
  if (await reachable(Number(url.port || 6379), url.hostname)) return null;
  const reason = `Redis is not reachable at ${REDIS_URL}`;
  if (process.env.CI === "true") throw new Error(`${reason} (required in CI)`);
  console.log(`# skipped: ${reason}`);
  return reason;
}

/** A key prefix of its own, removed afterwards. */
export function redisPrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `relay-test-${randomBytes(4).toString("hex")}:`;
  return {
    prefix,
    async cleanup() {
      const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect().catch(() => {});
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== "0");
      redis.disconnect();
    },
  };
}

export interface NodeProcess {
  url: string;
  port: number;
  nodeId: string;
  child: ChildProcess;
  /** SIGKILL: the node dies without a word. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  output: string[];
}

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Starts server/test/node-main.ts as its own process with this environment. */
export async function startNode(env: Record<string, string>): Promise<NodeProcess> {
  const child = spawn(process.execPath, [...(process.env.NODE_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.NODE_PROFILE}`] : []), "--import", "tsx", "server/test/node-main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "test",
      PORT: "0",
      RATE_MESSAGES_MAX: "100000",
      RATE_SIGNIN_MAX: "100000",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const first = await new Promise<{ port: number; node: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${output.join("")}`)), 30_000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as { port: number; node: string });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code}:\n${output.join("")}`));
    });
  });
  return {
    url: `http://127.0.0.1:${first.port}`,
    port: first.port,
    nodeId: first.node,
    child,
    output,
    async kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A port nobody listens on right now (for a process that must come back on the same one). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP proxy to one target that can be cut (every connection dropped, new ones refused) and restored. */
export async function tcpProxy(targetPort: number, targetHost = "127.0.0.1") {
  const sockets = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) return client.destroy();
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    cut() {
      cut = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * An HTTP load balancer over several nodes. "round-robin" sends each request
 * to the next node, as a balancer without stickiness does; "sticky" sends
 * every request from one client address to the same node (nginx's ip_hash).
 * WebSocket upgrades are passed through to the chosen node.
 */
export async function balancer(targets: number[], mode: "round-robin" | "sticky") {
  let next = 0;
  const pick = (remote: string | undefined) => {
    if (mode === "sticky") {
      let h = 0;
      for (const c of remote ?? "") h = (h * 31 + c.charCodeAt(0)) >>> 0;
      return targets[h % targets.length]!;
    }
    return targets[next++ % targets.length]!;
  };
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      { host: "127.0.0.1", port: pick(req.socket.remoteAddress), path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.on("upgrade", (req, socket, head) => {
    const upstream = net.connect(pick(req.socket.remoteAddress), "127.0.0.1", () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`), "", ""];
      upstream.write(lines.join("\r\n"));
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    const drop = () => (socket.destroy(), upstream.destroy());
    socket.on("error", drop);
    upstream.on("error", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
