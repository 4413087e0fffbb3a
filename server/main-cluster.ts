/**
 * `npm run start:cluster`: one worker per core on one machine, behind one
 * port, through node:cluster and @socket.io/sticky.
 *
 * The primary owns the listening socket and hands each new connection to a
 * worker: Engine.IO requests that carry a session id go to the worker that
 * holds that session (long-polling needs it; see docs/scaling.md), everything
 * else to the least busy worker. The workers are ordinary nodes of a cluster:
 * they share PostgreSQL and Redis exactly as separate machines would, so
 * REDIS_URL is required (without it each worker would be an island).
 *
 * WORKERS sets the number of workers (default: the number of cores). A
 * worker that dies is replaced; SIGTERM stops accepting and lets every worker
 * shut down gracefully before the primary exits.
 */
import "./dotenv";
import cluster from "node:cluster";
import { createServer } from "node:http";
import os from "node:os";
import { setupMaster, setupWorker } from "@socket.io/sticky";
import { logger } from "./log";
import { envOrExit, SHUTDOWN_DEADLINE_MS, startRelay } from "./start";

const log = logger("cluster");

/** A worker that keeps dying is not restarted faster than this. */
const RESPAWN_DELAY_MS = 1_000;

if (cluster.isPrimary) {
  const env = envOrExit();
  if (!env.REDIS_URL) {
    console.error("start:cluster runs several workers that must share events: set REDIS_URL (and DATABASE_URL=postgresql://… for more than one machine)");
    process.exit(1);
  }
  const count = Number(process.env.WORKERS) || os.availableParallelism();
  const server = createServer();
  setupMaster(server, { loadBalancingMethod: "least-connection" });
  // The primary passes each connection's first bytes to a worker over IPC:
  // "advanced" serialization keeps them a Buffer (JSON would not).
  cluster.setupPrimary({ serialization: "advanced" });
  let stopping = false;

  // Each worker is a node with its own id: NODE_ID-1, -2… (or hostname-pid, the default).
  let spawned = 0;
  const spawn = () => cluster.fork({ NODE_ID: env.NODE_ID ? `${env.NODE_ID}-${++spawned}` : "" });
  for (let i = 0; i < count; i++) spawn();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    log.error({ worker: worker.process.pid, code, signal }, "worker died; starting another");
    setTimeout(spawn, RESPAWN_DELAY_MS);
  });

  server.listen(env.PORT, env.HOST, () => log.info({ port: env.PORT, workers: count }, `Relay cluster listening on http://localhost:${env.PORT}`));

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "shutting down the workers");
      server.close();
      setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS + 500).unref();
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
      const check = setInterval(() => {
        if (Object.keys(cluster.workers ?? {}).length === 0) {
          clearInterval(check);
          process.exit(0);
        }
      }, 100);
    });
  }
} else {
  const app = await startRelay({ listen: false });
  // Connections arrive from the primary over IPC, into this worker's HTTP server.
  setupWorker(app.io);
}
