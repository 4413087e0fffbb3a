/**
 * `npm run admin -- <command>`: manage who administers Relay from the
 * server's shell, against DATABASE_URL (default ./data/chat.db, or .env),
 * applying pending migrations first like the server does.
 *
 *   grant <username>    make a registered account an admin
 *   revoke <username>   make an admin a member again (never the last admin)
 *   list                print the admins
 *
 * Exit status: 0 done (or nothing to do), 1 refused or unknown user, 2 bad usage.
 * A role change applies to the user's next request: sessions read the role
 * from the database each time. It works while the server runs (see
 * migrateIfNeeded).
 */
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { applyMigrations } from "../../prisma/scripts/migrations";
import { redactUrl } from "../../prisma/scripts/providers";
import { ROLES } from "../auth";
import { createPrisma, type PrismaClient } from "../db";
import { parseEnv } from "../env";

const USAGE = `usage: npm run admin -- grant <username>
       npm run admin -- revoke <username>
       npm run admin -- list`;

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

type Result = number;

async function findUser(prisma: PrismaClient, io: Output, raw: string) {
  // better-auth stores usernames lowercased (the typed form is displayUsername).
  const username = raw.trim().toLowerCase();
  const user = await prisma.user.findUnique({ where: { username }, select: { id: true, username: true, role: true } });
  if (!user) io.err(`No registered user named "${raw}". Check the spelling with the username they sign in with.`);
  return user;
}

async function grant(prisma: PrismaClient, io: Output, name: string): Promise<Result> {
  const user = await findUser(prisma, io, name);
  if (!user) return 1;
  if (user.role === ROLES.admin) {
    io.out(`${user.username} is already an admin.`);
    return 0;
  }
  await prisma.user.update({ where: { id: user.id }, data: { role: ROLES.admin } });
  io.out(`${user.username} is now an admin.`);
  return 0;
}

async function revoke(prisma: PrismaClient, io: Output, name: string): Promise<Result> {
  const user = await findUser(prisma, io, name);
  if (!user) return 1;
  if (user.role !== ROLES.admin) {
    io.out(`${user.username} is not an admin; nothing to do.`);
    return 0;
  }
  // Count and update in one transaction, so two revokes at once cannot both
  // pass the check and leave nobody in charge.
  const done = await prisma.$transaction(async (tx) => {
    const admins = await tx.user.count({ where: { role: ROLES.admin } });
    if (admins <= 1) return false;
    await tx.user.update({ where: { id: user.id }, data: { role: ROLES.member } });
    return true;
  });
  if (!done) {
    io.err(`Refused: ${user.username} is the last admin. Grant another account admin first.`);
    return 1;
  }
  io.out(`${user.username} is no longer an admin (now a member).`);
  return 0;
}

async function list(prisma: PrismaClient, io: Output): Promise<Result> {
  const admins = await prisma.user.findMany({
    where: { role: ROLES.admin },
    select: { username: true, name: true, createdAt: true },
    orderBy: { createdAt: "asc" },
  });
  if (admins.length === 0) {
    io.out("No admins yet: the first account to register becomes one, or grant one with `npm run admin -- grant <username>`.");
    return 0;
  }
  for (const a of admins) io.out(`${a.username ?? "?"}\t${a.name}\tsince ${a.createdAt.toISOString().slice(0, 10)}`);
  return 0;
}

/**
 * Applies pending migrations like the server does at start, under the same
 * migration lock. On SQLite the engine needs the file to itself, which it
 * cannot have while the server runs; the server applies migrations at start,
 * so with it running nothing is normally pending and the engine is not run.
 * If something is, this does not wait for the server to stop: it says so.
 */
async function migrateIfNeeded(databaseUrl: string): Promise<void> {
  try {
    await applyMigrations(databaseUrl, { busyWaitMs: 0, log: (line) => console.error(line) });
  } catch (err) {
    const first = (err as Error).message.split("\n")[0];
    throw new Error(
      `Could not apply pending migrations to ${redactUrl(databaseUrl)} (${first}). ` +
        "If the server is running, restart it (it applies them at start) and try again.",
    );
  }
}

/** Runs one command; returns the exit status. */
export async function runAdminCli(args: string[], databaseUrl: string, io: Output): Promise<Result> {
  const [command, ...rest] = args;
  const name = rest[0]?.trim();
  const valid =
    ((command === "grant" || command === "revoke") && rest.length === 1 && !!name) ||
    (command === "list" && rest.length === 0);
  if (!valid) {
    const known = command === undefined || ["grant", "revoke", "list"].includes(command);
    io.err(known ? USAGE : `Unknown command "${command}".\n${USAGE}`);
    return 2;
  }
  await migrateIfNeeded(databaseUrl);
  const prisma = await createPrisma(databaseUrl);
  try {
    if (command === "grant") return await grant(prisma, io, name!);
    if (command === "revoke") return await revoke(prisma, io, name!);
    return await list(prisma, io);
  } finally {
    await prisma.$disconnect();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const io: Output = { out: (l) => console.log(l), err: (l) => console.error(l) };
  let code: number;
  try {
    code = await runAdminCli(process.argv.slice(2), parseEnv().DATABASE_URL, io);
  } catch (err) {
    io.err((err as Error).message);
    code = 1;
  }
  process.exit(code);
}
