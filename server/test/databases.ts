/**
 * The database a multi-process test shares between its nodes. A temporary
 * SQLite file works for several processes on one machine (WAL); PostgreSQL is
 * what a real cluster uses.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export async function clusterDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "chat-cluster-"));
  return {
    url: `file:${path.join(dir, "chat.db")}`,
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
