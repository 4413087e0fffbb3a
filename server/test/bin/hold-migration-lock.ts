/**
 * Takes the migration lock of DATABASE_URL, prints `holding`, and keeps it
 * until killed: a stand-in for an instance in the middle of its migrations,
 * and, killed with SIGKILL, for one that crashed there.
 */
import { withMigrationLock } from "../../../prisma/scripts/lock";

const url = process.env.DATABASE_URL!;
// Never called: a process-wide reference to the release keeps the waiting
// work (and its lock) reachable, as real migration work would.
const holder = globalThis as { releaseMigrationLock?: () => void };
await withMigrationLock(
  url,
  () =>
    new Promise<void>((release) => {
      holder.releaseMigrationLock = release;
      console.log("holding");
      setInterval(() => {}, 60_000);
    }),
  (line) => console.log(line),
);
