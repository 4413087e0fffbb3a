/**
 * A test server in its own process: the real app (no Next) over DATABASE_URL
 * on a random loopback port. Prints `listening <port>` when it serves, and
 * closes on SIGTERM. Used by tests that need two processes on one database.
 */
import { createApp } from "../../app";
import { parseEnv } from "../../env";

const env = parseEnv({ RATE_MESSAGES_MAX: "100000", RATE_SIGNIN_MAX: "100000", ...process.env, NODE_ENV: "test" });
const app = await createApp({ env, version: "test" });
const port = await app.listen(0, "127.0.0.1");
console.log(`listening ${port}`);
process.on("SIGTERM", async () => {
  await app.close().catch(() => {});
  process.exit(0);
});
