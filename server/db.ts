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

/**
 * The better-sqlite3 connection under a SQLite Prisma client, for the send
 * path's prepared statements (server/store/hot.ts). It is Prisma's own
 * connection, not a second one: a second writer would make Prisma's deferred
 * transactions fail with SQLITE_BUSY_SNAPSHOT whenever it committed between
 * their read and their write. Sharing one connection needs one rule: nothing
 * runs on it while a Prisma interactive transaction is open (BEGIN was sent,
 * COMMIT not yet), or it would join that transaction. `run` enforces it: it
 * runs `fn` at once, synchronously, when no transaction is open, and after the
 * open one ends otherwise; Prisma's transactions wait for `run`'s likewise.
 */
export interface SqliteConnection {
  run<T>(fn: (db: BetterSqliteDatabase) => T): Promise<T>;
}
export type BetterSqliteDatabase = import("better-sqlite3").Database;

const sqliteConnections = new WeakMap<object, SqliteConnection>();

/** The raw connection of a SQLite client made by createPrisma; undefined on PostgreSQL. */
export function sqliteConnectionOf(prisma: PrismaClient): SqliteConnection | undefined {
  return sqliteConnections.get(prisma);
}

/** A FIFO gate: one holder at a time; `tryEnter` takes it only when free and nobody waits. */
class Gate {
  private held = false;
  private waiting: (() => void)[] = [];
  tryEnter(): boolean {
    if (this.held || this.waiting.length) return false;
    this.held = true;
    return true;
  }
  enter(): Promise<void> {
    if (this.tryEnter()) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  leave(): void {
    const next = this.waiting.shift();
    if (next) next(); // handed over: stays held
    else this.held = false;
  }
}

type AdapterFactory = ConstructorParameters<typeof PrismaClient>[0] extends infer O ? (O extends { adapter: infer A } ? A : never) : never;
type Adapter = Awaited<ReturnType<AdapterFactory["connect"]>>;

/**
 * Wraps the adapter factory so that every interactive transaction holds the
 * gate from BEGIN to COMMIT/ROLLBACK, and captures the connection.
 */
function gatedSqlite(base: AdapterFactory, onConnect: (db: BetterSqliteDatabase, gate: Gate) => void): AdapterFactory {
  const gate = new Gate();
  const wrap = (adapter: Adapter): Adapter =>
    new Proxy(adapter, {
      get(target, prop, receiver) {
        if (prop === "startTransaction") {
          return async (...args: Parameters<Adapter["startTransaction"]>) => {
            await gate.enter();
            let tx: Awaited<ReturnType<Adapter["startTransaction"]>>;
            try {
              tx = await target.startTransaction(...args);
            } catch (err) {
              gate.leave();
              throw err;
            }
            let left = false;
            const leave = () => {
              if (!left) (left = true), gate.leave();
            };
            const commit = tx.commit.bind(tx);
            const rollback = tx.rollback.bind(tx);
            tx.commit = () => commit().finally(leave);
            tx.rollback = () => rollback().finally(leave);
            return tx;
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return new Proxy(base, {
    get(target, prop, receiver) {
      if (prop === "connect") {
        return async () => {
          const adapter = await target.connect();
          const db = (adapter as unknown as { client?: BetterSqliteDatabase }).client;
          if (!db || typeof db.prepare !== "function") throw new Error("the SQLite adapter no longer exposes its connection; see server/db.ts");
          onConnect(db, gate);
          return wrap(adapter);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function createSqlite(databaseUrl: string): Promise<PrismaClient> {
  // timeout: how long a writer waits for SQLite's lock before SQLITE_BUSY.
  // WAL lets readers proceed during a write, so waits are short in practice.
  let connection: { db: BetterSqliteDatabase; gate: Gate } | undefined;
  const adapter = gatedSqlite(new PrismaBetterSqlite3({ url: sqlitePath(databaseUrl), timeout: 5_000 }), (db, gate) => {
    connection = { db, gate };
  });
  const prisma = new PrismaClient({ adapter });
  sqliteConnections.set(prisma, {
    async run(fn) {
      if (!connection) await prisma.$connect();
      const { db, gate } = connection!;
      if (gate.tryEnter()) {
        try {
          return fn(db);
        } finally {
          gate.leave();
        }
      }
      await gate.enter();
      try {
        return fn(db);
      } finally {
        gate.leave();
      }
    },
  });
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
