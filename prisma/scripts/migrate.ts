/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (default ./data/chat.db). */
import { applyMigrations } from "./migrations";

const url = process.env.DATABASE_URL ?? "file:./data/chat.db";
const applied = await applyMigrations(url);
console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
