/**
 * Starting one Relay node as users run it: validate the environment, build
 * the app, attach Next, and stop gracefully on SIGTERM/SIGINT. Used by the
 * single-process entry (server/index.ts) and by each worker of cluster mode
 * (server/main-cluster.ts), which receives its connections from the primary
 * instead of listening itself.
 */
import { readFileSync } from "node:fs";
import next from "next";
import { redactUrl } from "../prisma/scripts/providers";
import { createApp, type App } from "./app";
import { parseEnv, type Env } from "./env";
import { logger } from "./log";
import { fromRoot, ROOT } from "./paths";

const log = logger("server");

/** A stop never takes longer than this, whatever is still open: deploy tools wait about 10 s before SIGKILL. */
export const SHUTDOWN_DEADLINE_MS = 9_000;

/** The environment, or the process ends with one line naming the bad variable. */
export function envOrExit(): Env {
  try {
    return parseEnv();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}

export async function startRelay(options: { listen: boolean }): Promise<App> {
  const env = envOrExit();
  const dev = env.NODE_ENV !== "production";
  const { version } = JSON.parse(readFileSync(fromRoot("package.json"), "utf8")) as { version: string };

  // A database that cannot be reached or migrated stops the start with its reason, not a stack trace.
  const app = await createApp({ env, version }).catch((err: Error) => {
    console.error(`Relay could not start: ${err.message}`);
    process.exit(1);
  });
  const nextApp = next({ dev, dir: ROOT, httpServer: app.server, quiet: !dev });
  await nextApp.prepare();
  app.setPageHandler(nextApp.getRequestHandler());

  const where = { version, mode: dev ? "development" : "production", db: redactUrl(env.DATABASE_URL), bus: app.ctx.health.bus, node: app.ctx.nodeId };
  if (options.listen) {
    const port = await app.listen(env.PORT, env.HOST);
    log.info({ ...where, port }, `Relay ${version} ready on http://localhost:${port}`);
  } else {
    log.info(where, `Relay ${version} worker ready`);
  }

  let closing = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, async () => {
      if (closing) return;
      closing = true;
      setTimeout(() => {
        log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, "still not closed; exiting");
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
      log.info({ signal }, "shutting down");
      await app.shutdown().catch((err) => log.error({ err }, "shutdown failed"));
      await nextApp.close().catch(() => {});
      process.exit(0);
    });
  }
  return app;
}
