/**
 * Test harness: the real app (no Next) on a random port over a temporary
 * database, plus helpers to sign users in over HTTP and connect real
 * socket.io-client clients with their cookies.
 *
 * The database is a temporary SQLite file, or with TEST_DB=postgresql a fresh
 * PostgreSQL database (relay_test_<random>) on POSTGRES_ADMIN_URL's server
 * (default 127.0.0.1:5432, role postgres), dropped on stop. So the whole
 * suite runs on either: `npm run test:unit` and `npm run test:unit:pg`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { providerOf, type Provider } from "../../prisma/scripts/providers";
import { createScratchDatabase, dropDatabase, postgresAdminUrl, postgresUnavailable, withDatabase } from "../../prisma/scripts/scratch-pg";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { io as connect, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../contract";
import { createApp, type App } from "../app";
import type { Bus } from "../bus";
import { parseEnv } from "../env";
import { REDIS_URL, redisPrefix } from "./cluster";

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface Harness {
  app: App;
  url: string;
  dir: string;
  dbUrl: string;
  /** The database this server runs on (TEST_DB). */
  db: Provider;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/** The bus test servers run on: TEST_BUS=memory (default) or redis (Redis must answer). */
export function testBus(env: Record<string, string | undefined> = process.env): "memory" | "redis" {
  const value = (env.TEST_BUS ?? "").trim().toLowerCase() || "memory";
  if (value === "memory" || value === "redis") return value;
  throw new Error(`TEST_BUS=${env.TEST_BUS}: use memory or redis`);
}

/** The database test servers run on: TEST_DB=sqlite (default) or postgresql. */
export function testDatabase(env: Record<string, string | undefined> = process.env): Provider {
  const value = (env.TEST_DB ?? "").trim().toLowerCase() || "sqlite";
  if (value === "sqlite") return "sqlite";
  if (value === "postgresql" || value === "postgres" || value === "pg") return "postgresql";
  throw new Error(`TEST_DB=${env.TEST_DB}: use sqlite or postgresql`);
}

/** A test PostgreSQL database's name, kept in the data directory so startServer({ dir }) reopens it. */
const PG_NAME_FILE = "postgres-database";
/** Test databases this process created and has not dropped (dropped at exit, see below). */
const liveDatabases = new Set<string>();
let exitHookInstalled = false;

/**
 * Drops what a test kept (stop({ keepData: true }) without a later stop())
 * when the test file's process is about to exit: 'beforeExit' lets async work
 * run, so nothing is left on the shared server.
 */
function dropLeftoversAtExit() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("beforeExit", () => {
    const names = [...liveDatabases];
    liveDatabases.clear();
    for (const name of names) void dropDatabase(name).catch((err) => console.error(`could not drop test database ${name}: ${err.message}`));
  });
}

async function testDatabaseUrl(dir: string, provider: Provider): Promise<string> {
  if (provider === "sqlite") return `file:${path.join(dir, "chat.db")}`;
  dropLeftoversAtExit();
  const nameFile = path.join(dir, PG_NAME_FILE);
  if (existsSync(nameFile)) {
    const name = readFileSync(nameFile, "utf8").trim();
    liveDatabases.add(name);
    return withDatabase(postgresAdminUrl(), name);
  }
  const db = await createScratchDatabase("relay_test");
  liveDatabases.add(db.name);
  writeFileSync(nameFile, db.name);
  return db.url;
}

/** Drops a test server's database (PostgreSQL; a SQLite file goes with its directory). */
async function dropTestDatabase(dir: string, dbUrl: string): Promise<void> {
  if (providerOf(dbUrl) !== "postgresql") return;
  const name = readFileSync(path.join(dir, PG_NAME_FILE), "utf8").trim();
  await dropDatabase(name);
  liveDatabases.delete(name);
}

/**
 * For tests that need PostgreSQL whatever TEST_DB says (the seq race, the
 * PostgreSQL drift check): use as `describe(name, { skip: await requirePostgres() }, …)`.
 * Resolves false when the server answers. When it does not: under CI=true it
 * throws, so the file fails loudly; elsewhere it prints why and resolves the
 * reason, which node:test shows as the skip message.
 */
export async function requirePostgres(env: Record<string, string | undefined> = process.env): Promise<string | false> {
  const why = await postgresUnavailable(postgresAdminUrl(env));
  if (!why) return false;
  const reason = why; // "cannot reach PostgreSQL at <url> (set POSTGRES_ADMIN_URL): <error>"
  if (env.CI === "true") throw new Error(`${reason}. CI=true: PostgreSQL tests must run.`);
  console.log(`skipping PostgreSQL tests: ${reason}`);
  return reason;
}

export async function startServer(
  opts: { dir?: string; env?: Record<string, string>; /** Overrides TEST_DB, for tests about one database. */ db?: Provider; bus?: Bus } = {},
): Promise<Harness> {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), "chat-test-"));
  const db = opts.db ?? testDatabase();
  const dbUrl = await testDatabaseUrl(dir, db);
  // TEST_BUS=redis: the server runs as a cluster node would (Redis bus, presence, limits), under a prefix of its own.
  const redis = testBus() === "redis" ? redisPrefix() : undefined;
  const env = parseEnv({
    NODE_ENV: "test",
    DATABASE_URL: dbUrl,
    RATE_MESSAGES_MAX: "100000",
    RATE_SIGNIN_MAX: "100000",
    ...(redis ? { REDIS_URL, REDIS_PREFIX: redis.prefix } : {}),
    ...opts.env,
  });
  const app = await createApp({ env, version: "test", bus: opts.bus });
  const port = await app.listen(0, "127.0.0.1");
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    dir,
    dbUrl,
    db,
    async stop({ keepData = false } = {}) {
      await app.close();
      await new Promise<void>((resolve) => app.server.close(() => resolve()));
      await redis?.cleanup();
      if (keepData) return;
      await dropTestDatabase(dir, dbUrl);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function cookieFrom(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

export async function joinAsGuest(url: string, name: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/sign-in/anonymous`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ name }),
  });
  if (!res.ok) throw new Error(`guest join failed: ${res.status} ${await res.text()}`);
  return cookieFrom(res);
}

export async function register(url: string, username: string, password = "correct horse battery"): Promise<string> {
  const res = await fetch(`${url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  return cookieFrom(res);
}

export function connectClient(
  url: string,
  cookie: string | undefined,
  opts: { transports?: ("polling" | "websocket")[]; origin?: string } = {},
): Client {
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (opts.origin) headers.origin = opts.origin;
  return connect(url, {
    transports: opts.transports ?? ["websocket"],
    extraHeaders: headers,
    reconnection: false,
    forceNew: true,
  });
}

/** Resolves once the client is connected; a connection that neither opens nor fails within `ms` fails the test instead of hanging it. */
export function connected(client: Client, ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (client.connected) return resolve();
    const timer = setTimeout(() => reject(new Error(`not connected within ${ms} ms`)), ms);
    client.once("connect", () => (clearTimeout(timer), resolve()));
    client.once("connect_error", (err) => (clearTimeout(timer), reject(err)));
  });
}

/** Resolves with the next `event` that satisfies `pred`, or rejects after `ms`. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  client: Client,
  event: E,
  pred: (payload: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
  ms = 3000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, listener as never);
      reject(new Error(`timed out waiting for ${String(event)}`));
    }, ms);
    const listener = (payload: Parameters<ServerToClientEvents[E]>[0]) => {
      if (!pred(payload)) return;
      clearTimeout(timer);
      client.off(event, listener as never);
      resolve(payload);
    };
    client.on(event, listener as never);
  });
}

/**
 * Reads an SSE response in the background with a spec-compliant parser.
 * `events` fills as they arrive; `done` settles when the stream ends.
 */
export function collectSse(res: Response) {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  const reader = res.body!.getReader();
  const done = (async () => {
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  })().catch(() => {});
  return {
    events,
    done,
    async stop() {
      await reader.cancel().catch(() => {});
      await done;
    },
  };
}
