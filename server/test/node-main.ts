/**
 * One node of a test cluster, as a real process: the app without Next (the
 * cluster tests need the API, Socket.IO, SSE and /ws, not pages), on the
 * port in PORT (0: any), configured by the environment like production.
 * Prints one JSON line `{"port": …}` once it listens; SIGTERM closes it.
 */
import { createApp } from "../app";
import { parseEnv } from "../env";

const env = parseEnv(process.env);
const app = await createApp({ env, version: "test" });
const port = await app.listen(env.PORT, "127.0.0.1");
process.stdout.write(`${JSON.stringify({ port, node: app.ctx.nodeId })}\n`);

// As server/index.ts does: a graceful shutdown that clients survive.
process.on("SIGTERM", () => {
  void app.shutdown().finally(() => process.exit(0));
});
