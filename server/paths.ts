/**
 * The project's root folder: where package.json, .next, prisma/ and the
 * message catalogs live. Found by walking up from this module, so the same
 * code works from its source (server/paths.ts, run by tsx) and from the
 * compiled bundle (dist/*.mjs, run by node).
 */
import { existsSync } from "node:fs";
import path from "node:path";

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const ROOT = findRoot(import.meta.dirname);

/** A path under the project's root. */
export const fromRoot = (...parts: string[]) => path.join(ROOT, ...parts);
