/**
 * Entry point: validate the environment, build the app, attach Next, listen.
 * One process, one port: pages, /api, and Socket.IO.
 */
import { existsSync, readFileSync } from "node:fs";
import next from "next";
import { createApp } from "./app";
import { parseEnv } from "./env";
import { redactUrl } from "../prisma/scripts/providers";

// A .env file in the working directory, when present (see .env.example).
if (existsSync(".env")) process.loadEnvFile(".env");

let env;
try {
  env = parseEnv();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

const dev = env.NODE_ENV !== "production";
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

// A database that cannot be reached or migrated stops the start with its reason, not a stack trace.
const app = await createApp({ env, version }).catch((err: Error) => {
  console.error(`Relay could not start: ${err.message}`);
  process.exit(1);
});
const nextApp = next({ dev, dir: new URL("..", import.meta.url).pathname, httpServer: app.server, quiet: !dev });
await nextApp.prepare();
app.setPageHandler(nextApp.getRequestHandler());

const port = await app.listen(env.PORT, env.HOST);
console.log(`Relay ${version} ready on http://localhost:${port} (${dev ? "development" : "production"}, db ${redactUrl(env.DATABASE_URL)})`);

/** A stop never takes longer than this, whatever is still open: deploy tools wait about 10 s before SIGKILL. */
const SHUTDOWN_DEADLINE_MS = 9_000;

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    setTimeout(() => {
      console.error(`[shutdown] still not closed after ${SHUTDOWN_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    await app.shutdown().catch((err) => console.error("[shutdown] failed:", err));
    await nextApp.close().catch(() => {});
    process.exit(0);
  });
}
