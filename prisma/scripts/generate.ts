/**
 * `npm run db:generate`: writes the Prisma client to server/generated/prisma.
 *
 * Prisma's CLI tries to download its native schema engine before any command,
 * even `generate`, which never runs it (generation is WebAssembly). Pointing
 * PRISMA_SCHEMA_ENGINE_BINARY at an existing file skips that download; we name
 * the WebAssembly schema engine this project really uses for migrations
 * (prisma/scripts/engine.ts), so nothing is fetched and nothing is vendored.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const engineDir = path.dirname(require.resolve("@prisma/schema-engine-wasm"));
const prismaCli = require.resolve("prisma/build/index.js");

const result = spawnSync(process.execPath, [prismaCli, "generate", "--schema", "prisma/schema.prisma"], {
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: path.join(engineDir, "schema_engine_bg.wasm"),
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  },
});
process.exit(result.status ?? 1);
