/**
 * Test harness: the real app (no Next) on a random port over a temporary
 * SQLite file, plus helpers to sign users in over HTTP and connect real
 * socket.io-client clients with their cookies.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { io as connect, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../contract";
import { createApp, type App } from "../app";
import type { Bus } from "../bus";
import { parseEnv } from "../env";

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface Harness {
  app: App;
  url: string;
  dir: string;
  dbUrl: string;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startServer(opts: { dir?: string; env?: Record<string, string>; bus?: Bus } = {}): Promise<Harness> {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), "chat-test-"));
  const dbUrl = `file:${path.join(dir, "chat.db")}`;
  const env = parseEnv({
    NODE_ENV: "test",
    DATABASE_URL: dbUrl,
    RATE_MESSAGES_MAX: "100000",
    RATE_SIGNIN_MAX: "100000",
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
    async stop({ keepData = false } = {}) {
      await app.close();
      await new Promise<void>((resolve) => app.server.close(() => resolve()));
      if (!keepData) rmSync(dir, { recursive: true, force: true });
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

export function connected(client: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    if (client.connected) return resolve();
    client.once("connect", () => resolve());
    client.once("connect_error", (err) => reject(err));
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
