/**
 * `npm run db:migration -- <name>`: writes prisma/migrations/<provider>/<stamp>_<name>/migration.sql
 * for SQLite and PostgreSQL alike, from the difference between each provider's
 * checked-in migrations and schema.prisma. Offline: the schema engine is
 * WebAssembly. The PostgreSQL half migrates a scratch database on the server
 * POSTGRES_ADMIN_URL names (default: local, role postgres) and drops it.
 * `-- --check` writes nothing and exits 1 when schema.prisma has changes no
 * migration covers (the drift test in server/migrations.test.ts does the same).
 */
import { hasStatements, migrationDirName, pendingMigrationSql, writeMigration } from "./migrations";
import { PROVIDER_NAMES, type Provider } from "./providers";
import { postgresAdminUrl, postgresUnavailable } from "./scratch-pg";

const args = process.argv.slice(2);
const check = args.includes("--check");
const name = args[0];
if (!check && (!name || !/^[a-z0-9_-]+$/i.test(name))) {
  console.error("usage: npm run db:migration -- <name>   (letters, digits, _ and -)");
  process.exit(2);
}

const unavailable = await postgresUnavailable();
if (unavailable) {
  console.error(
    `The PostgreSQL migration is computed on a scratch database, and no PostgreSQL server answers at ${postgresAdminUrl()}:\n  ${unavailable}\n` +
      "Start one, or set POSTGRES_ADMIN_URL to a server where this role may CREATE DATABASE. Nothing was written.",
  );
  process.exit(1);
}

const pending = {} as Record<Provider, string>;
for (const provider of PROVIDER_NAMES) pending[provider] = await pendingMigrationSql(provider);
const changed = PROVIDER_NAMES.filter((p) => hasStatements(pending[p]));

if (check) {
  for (const provider of changed) console.error(`schema.prisma has changes without a ${provider} migration:\n${pending[provider]}`);
  if (changed.length) process.exit(1);
  console.log(`migrations match schema.prisma (${PROVIDER_NAMES.join(", ")})`);
  process.exit(0);
}
if (changed.length === 0) {
  console.log("no schema changes: nothing written");
  process.exit(0);
}
// One timestamp for every provider, so the two folders list the same history.
const now = new Date();
for (const provider of changed) {
  const dir = await writeMigration(name!, pending[provider], now, provider);
  console.log(`wrote prisma/migrations/${provider}/${dir}/migration.sql`);
}
const unchanged = PROVIDER_NAMES.filter((p) => !changed.includes(p));
if (unchanged.length) console.log(`(${unchanged.join(", ")}: the change needs no SQL; no ${migrationDirName(name!, now)} there)`);
