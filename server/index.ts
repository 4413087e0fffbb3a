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

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    await app.close().catch(() => {});
    await nextApp.close().catch(() => {});
    process.exit(0);
  });
}
