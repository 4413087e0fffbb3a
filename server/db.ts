/**
 * The Prisma client over better-sqlite3 (a driver adapter: no native query
 * engine). One per process, kept on globalThis by the context registry.
 */
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/prisma/client";
import { sqlitePath } from "../prisma/scripts/engine";

export type { PrismaClient };

export async function createPrisma(databaseUrl: string): Promise<PrismaClient> {
  // timeout: how long a writer waits for SQLite's lock before SQLITE_BUSY.
  // WAL lets readers proceed during a write, so waits are short in practice.
  const adapter = new PrismaBetterSqlite3({ url: sqlitePath(databaseUrl), timeout: 5_000 });
  const prisma = new PrismaClient({ adapter });
  // WAL: readers do not block the writer and commits are one fsync of the log.
  await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await prisma.$queryRawUnsafe("PRAGMA foreign_keys = ON");
  return prisma;
}
