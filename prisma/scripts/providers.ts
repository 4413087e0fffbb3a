/**
 * The two databases Relay runs on, told apart by DATABASE_URL's scheme, and
 * what each needs: its migrations folder, its generated client, its schema.
 *
 * prisma/schema.prisma is the only place the models are written. Its
 * datasource names SQLite (a schema names exactly one provider); the
 * PostgreSQL schema is derived from it by swapping the provider and the
 * client's output folder, nothing else. `npm run db:generate` writes the
 * derived file (gitignored) and generates both clients; the drift test
 * (server/migrations.test.ts) checks both clients and both migration
 * folders against schema.prisma.
 */
import path from "node:path";
import { ROOT } from "../../server/paths";

export type Provider = "sqlite" | "postgresql";
export const PROVIDER_NAMES: readonly Provider[] = ["sqlite", "postgresql"];

export const SCHEMA_PATH = path.join(ROOT, "prisma/schema.prisma");
/** Where db:generate writes the derived PostgreSQL schema (server/generated is gitignored). */
export const POSTGRES_SCHEMA_PATH = path.join(ROOT, "server/generated/postgresql.prisma");

export function migrationsDir(provider: Provider): string {
  return path.join(ROOT, "prisma/migrations", provider);
}

/** The generated client's folder for each provider (the SQLite one is the types the code imports). */
export function clientDir(provider: Provider): string {
  return path.join(ROOT, provider === "sqlite" ? "server/generated/prisma" : "server/generated/postgresql");
}

/**
 * `file:` is SQLite; `postgresql:` and `postgres:` (both spellings libpq
 * accepts) are PostgreSQL. Anything else is refused by env validation first;
 * this throws for callers that bypass it.
 */
export function providerOf(url: string): Provider {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error(`unsupported DATABASE_URL "${redactUrl(url)}": use file:… (SQLite) or postgresql://… (PostgreSQL)`);
}

/** A URL fit for a log line: the password (in the authority or as ?password=) replaced by ***. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, "$1***@").replace(/([?&]password=)[^&#]*/gi, "$1***");
}

/** Replaces exactly one match, or throws: a silent no-op would derive a SQLite schema named PostgreSQL. */
function swapOnce(text: string, pattern: RegExp, replacement: string, what: string): string {
  const matches = text.match(new RegExp(pattern.source, "gm"));
  if (matches?.length !== 1) {
    throw new Error(`prisma/schema.prisma: expected exactly one ${what} to derive the PostgreSQL schema, found ${matches?.length ?? 0}`);
  }
  return text.replace(new RegExp(pattern.source, "m"), replacement);
}

/**
 * The schema text for a provider, from schema.prisma's text. For PostgreSQL:
 * provider swapped, client written to server/generated/postgresql (the path is
 * relative to POSTGRES_SCHEMA_PATH's folder). Native type attributes (@db.…)
 * are refused, because one model text must mean the same on both databases.
 */
export function schemaFor(provider: Provider, source: string): string {
  const native = /@db\.\w+/.exec(source);
  if (native) throw new Error(`prisma/schema.prisma must stay provider-neutral: ${native[0]} is a native type of one database`);
  if (provider === "sqlite") return source;
  let out = swapOnce(source, /^(\s*provider\s*=\s*)"sqlite"/, '$1"postgresql"', 'datasource `provider = "sqlite"`');
  out = swapOnce(out, /^(\s*output\s*=\s*)"\.\.\/server\/generated\/prisma"/, '$1"./postgresql"', 'generator `output = "../server/generated/prisma"`');
  return `// GENERATED from prisma/schema.prisma by \`npm run db:generate\`: edit that file, not this one.\n${out}`;
}
