/**
 * `npm run db:migration -- <name>`: writes prisma/migrations/sqlite/<stamp>_<name>/migration.sql
 * from the difference between the checked-in migrations and schema.prisma. Offline.
 * `-- --check` writes nothing and exits 1 when schema.prisma has changes no
 * migration covers (the test suite runs this, so drift cannot land).
 */
import { hasStatements, pendingMigrationSql, writeMigration } from "./migrations";

const args = process.argv.slice(2);
const sql = await pendingMigrationSql();
if (args.includes("--check")) {
  if (hasStatements(sql)) {
    console.error("schema.prisma has changes without a migration:\n" + sql);
    process.exit(1);
  }
  console.log("migrations match schema.prisma");
  process.exit(0);
}
const name = args[0];
if (!name || !/^[a-z0-9_-]+$/i.test(name)) {
  console.error("usage: npm run db:migration -- <name>   (letters, digits, _ and -)");
  process.exit(2);
}
if (!hasStatements(sql)) {
  console.log("no schema changes: nothing written");
  process.exit(0);
}
const dir = await writeMigration(name, sql);
console.log(`wrote prisma/migrations/sqlite/${dir}/migration.sql`);
