/**
 * The cookie-signing secret: BETTER_AUTH_SECRET when set; otherwise one
 * generated on first start and kept with the data, so sessions survive
 * restarts without configuration.
 * - SQLite: in `.auth-secret` beside the database file (one machine).
 * - PostgreSQL: in the database's `setting` table, so every node signs and
 *   checks cookies with the same secret (a session made on one node is valid
 *   on all). The first node to start inserts it; a node racing it loses the
 *   insert on the primary key and reads the winner's.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sqlitePath } from "../prisma/scripts/engine";
import { providerOf, type PrismaClient } from "./db";
import type { Env } from "./env";

export const AUTH_SECRET_KEY = "auth.secret";

const generate = () => randomBytes(32).toString("hex");

export async function loadSecret(env: Env, prisma: PrismaClient): Promise<string> {
  if (env.BETTER_AUTH_SECRET) return env.BETTER_AUTH_SECRET;
  if (providerOf(env.DATABASE_URL) === "sqlite") return fileSecret(env.DATABASE_URL);
  return sharedSecret(prisma);
}

function fileSecret(databaseUrl: string): string {
  const file = path.join(path.dirname(path.resolve(sqlitePath(databaseUrl))), ".auth-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = generate();
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

async function sharedSecret(prisma: PrismaClient): Promise<string> {
  const found = await prisma.setting.findUnique({ where: { key: AUTH_SECRET_KEY } });
  if (found) return found.value;
  try {
    await prisma.setting.create({ data: { key: AUTH_SECRET_KEY, value: generate() } });
  } catch (err) {
    if ((err as { code?: string }).code !== "P2002") throw err; // another node inserted it first
  }
  return (await prisma.setting.findUniqueOrThrow({ where: { key: AUTH_SECRET_KEY } })).value;
}
