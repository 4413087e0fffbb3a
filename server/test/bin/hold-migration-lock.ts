/**
 * Takes the migration lock of DATABASE_URL, prints `holding`, and keeps it
 * until killed: a stand-in for an instance in the middle of its migrations,
 * and, killed with SIGKILL, for one that crashed there.
 */
import { withMigrationLock } from "../../../prisma/scripts/lock";

const url = process.env.DATABASE_URL!;
await withMigrationLock(
  url,
  () =>
    new Promise<never>(() => {
      console.log("holding");
      setInterval(() => {}, 60_000);
    }),
  (line) => console.log(line),
);
