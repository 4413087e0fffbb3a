/**
 * Starts the production server, as `npm start` does (the compiled
 * dist/index.mjs that `npm run build` wrote), over a fresh database for the
 * e2e run. With
 * E2E_DATA_DIR (set by playwright.config.ts) the database lives at a known
 * path, emptied first, so a spec can run `npm run admin` against it; without
 * it, in a throwaway temporary directory.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

let dir: string;
if (process.env.E2E_DATA_DIR) {
  dir = path.resolve(process.env.E2E_DATA_DIR);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
} else {
  dir = mkdtempSync(path.join(os.tmpdir(), "chat-e2e-"));
}
process.env.DATABASE_URL = `file:${path.join(dir, "chat.db")}`;
await import(pathToFileURL(path.resolve(import.meta.dirname, "../dist/index.mjs")).href);
