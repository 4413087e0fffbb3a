/**
 * The Prisma client for DATABASE_URL: SQLite through better-sqlite3 for a
 * `file:` URL, PostgreSQL through pg for `postgresql://` (driver adapters
 * both: no native query engine). One per process, kept on globalThis by the
 * context registry.
 *
 * Both generated clients come from the same models (prisma/schema.prisma), so
 * their model APIs are the same; the rest of the code is typed against the
 * SQLite one (server/generated/prisma), and the PostgreSQL client is returned
 * under that type. Where the two databases really differ, the difference is
 * named here (see containsInsensitive), not worked around in services.
 */
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/prisma/client";
import { sqlitePath } from "../prisma/scripts/engine";
import { providerOf, redactUrl, type Provider } from "../prisma/scripts/providers";
import { logger } from "./log";

const log = logger("db");

export type { PrismaClient, Provider };
export { providerOf };

/**
 * Connections per process. Each interactive transaction holds one until it
 * commits; sends to one room queue on that room's counter row anyway (see
 * server/services/log.ts), so more connections buy little, and PostgreSQL's
 * default of 100 connections then fits several nodes plus tooling.
 */
const PG_POOL_MAX = 10;
/**
 * How long a query may queue for one of those connections, and a transaction
 * for its start (Prisma's maxWait; pg's pool applies the same bound to
 * opening a connection). Prisma's default of 2 s fails a burst: every send to
 * a room takes that room's counter row in turn and holds it to commit (five
 * round trips), so 1,000 sends at once queue behind each other. Measured here
 * (server/seq.postgres.test.ts: 2 nodes × 500 sends to one room, two busy
 * cores) the burst takes about 10 s; 30 s leaves room for that, and a
 * database that stopped answering still becomes an error, not a hang.
 */
const PG_QUEUE_WAIT_MS = 30_000;
/**
 * Interactive transactions on PostgreSQL. timeout bounds one transaction's
 * run once started; waiting on the row lock behind the other connections'
 * transactions takes well under a second even in that burst.
 * Read committed is what the counter relies on: an UPDATE that waited for the
 * row lock re-reads the committed row and takes the next seq, where
 * repeatable read or serializable would fail it with a serialization error. It
 * is PostgreSQL's default, but a server can be configured otherwise.
 */
const PG_TRANSACTIONS = { maxWait: PG_QUEUE_WAIT_MS, timeout: 15_000, isolationLevel: "ReadCommitted" } as const;

const providers = new WeakMap<object, Provider>();

/** The database a client created by createPrisma talks to. */
export function providerOfClient(prisma: PrismaClient): Provider {
  return providers.get(prisma) ?? "sqlite";
}

export async function createPrisma(databaseUrl: string): Promise<PrismaClient> {
  const prisma = providerOf(databaseUrl) === "postgresql" ? await createPostgres(databaseUrl) : await createSqlite(databaseUrl);
  providers.set(prisma, providerOf(databaseUrl));
  return prisma;
}

async function createSqlite(databaseUrl: string): Promise<PrismaClient> {
  // timeout: how long a writer waits for SQLite's lock before SQLITE_BUSY.
  // WAL lets readers proceed during a write, so waits are short in practice.
  const adapter = new PrismaBetterSqlite3({ url: sqlitePath(databaseUrl), timeout: 5_000 });
  const prisma = new PrismaClient({ adapter });
  // WAL: readers do not block the writer and commits are one fsync of the log.
  await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await prisma.$queryRawUnsafe("PRAGMA foreign_keys = ON");
  return prisma;
}

async function createPostgres(databaseUrl: string): Promise<PrismaClient> {
  // Loaded only when used: a SQLite server never loads pg or the second client.
  const [{ PrismaPg }, { PrismaClient: PostgresClient }] = await Promise.all([
    import("@prisma/adapter-pg"),
    import("./generated/postgresql/client"),
  ]);
  const adapter = new PrismaPg(
    { connectionString: databaseUrl, max: PG_POOL_MAX, connectionTimeoutMillis: PG_QUEUE_WAIT_MS, application_name: "relay" },
    {
      // An idle connection that breaks (a server restart) is replaced on the
      // next query; say so instead of staying silent.
      onPoolError: (err) => log.warn({ db: redactUrl(databaseUrl), err }, "PostgreSQL connection lost"),
    },
  );
  const prisma = new PostgresClient({ adapter, transactionOptions: PG_TRANSACTIONS });
  // Fail at start, with the reason, rather than on the first request.
  try {
    await prisma.$queryRaw`SELECT 1`;
  } catch (err) {
    await prisma.$disconnect().catch(() => {});
    throw new Error(`cannot connect to PostgreSQL at ${redactUrl(databaseUrl)}: ${(err as Error).message}`);
  }
  // Same models, same generated API: only the type's name differs.
  return prisma as unknown as PrismaClient;
}

/**
 * A case-insensitive substring filter. SQLite's LIKE (what Prisma's contains
 * becomes there) already ignores ASCII case; PostgreSQL's LIKE does not, and
 * Prisma's `mode: "insensitive"` (ILIKE), which the SQLite client's types do
 * not have, is added for it.
 */
export function containsInsensitive(prisma: PrismaClient, term: string): { contains: string } {
  if (providerOfClient(prisma) === "postgresql") return { contains: term, mode: "insensitive" } as { contains: string };
  return { contains: term };
}
