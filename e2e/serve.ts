/** Starts the production server over a fresh temporary database for the e2e run. */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const dir = mkdtempSync(path.join(os.tmpdir(), "chat-e2e-"));
process.env.DATABASE_URL = `file:${path.join(dir, "chat.db")}`;
await import("../server/index");
