/**
 * `npm run db:generate`: writes both Prisma clients from prisma/schema.prisma:
 * the SQLite one to server/generated/prisma (the types the code imports) and
 * the PostgreSQL one to server/generated/postgresql, from the derived schema
 * (prisma/scripts/providers.ts), which is written beside it first.
 *
 * Prisma's CLI tries to download its native schema engine before any command,
 * even `generate`, which never runs it (generation is WebAssembly). Pointing
 * PRISMA_SCHEMA_ENGINE_BINARY at an existing file skips that download; we name
 * the WebAssembly schema engine this project really uses for migrations
 * (prisma/scripts/engine.ts), so nothing is fetched and nothing is vendored.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { POSTGRES_SCHEMA_PATH, SCHEMA_PATH, schemaFor } from "./providers";

const require = createRequire(import.meta.url);
const engineDir = path.dirname(require.resolve("@prisma/schema-engine-wasm"));
const prismaCli = require.resolve("prisma/build/index.js");

mkdirSync(path.dirname(POSTGRES_SCHEMA_PATH), { recursive: true });
writeFileSync(POSTGRES_SCHEMA_PATH, schemaFor("postgresql", readFileSync(SCHEMA_PATH, "utf8")));

for (const schema of [SCHEMA_PATH, POSTGRES_SCHEMA_PATH]) {
  const result = spawnSync(process.execPath, [prismaCli, "generate", "--schema", path.relative(process.cwd(), schema)], {
    stdio: "inherit",
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: path.join(engineDir, "schema_engine_bg.wasm"),
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
