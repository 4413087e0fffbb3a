/**
 * Reads a V8 .cpuprofile (from `npm run bench -- --profile`, or any
 * `node --cpu-prof`) and prints where the time went: self time by function
 * and by package/file, heaviest first.
 *
 *   npx tsx bench/lib/proftop.ts bench/profiles/relay-1-….cpuprofile [rows]
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const [file, rowsArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: proftop <file.cpuprofile> [rows]");
  process.exit(2);
}
const rows = Number(rowsArg ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

// Self time per node: each sample's delta goes to the node it hit.
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

/** node_modules/<pkg> (scoped too), our own file, or a V8 category such as (garbage collector). */
function owner(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith("node:")) return url;
  return url.replace(/^file:\/\//, "").replace(process.cwd() + "/", "");
}

const byFn = new Map<string, number>();
const byOwner = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const { functionName, url, lineNumber } = n.callFrame;
  const who = owner(url, functionName);
  const key = `${functionName || "(anonymous)"}  ${who}${url ? `:${lineNumber + 1}` : ""}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  byOwner.set(who, (byOwner.get(who) ?? 0) + us);
}

const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, rows);
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n\nby package or file:`);
for (const [k, us] of top(byOwner)) console.log(`${pct(us)}  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${k}`);
console.log("\nby function (self time):");
for (const [k, us] of top(byFn)) console.log(`${pct(us)}  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${k}`);

// Inclusive time of our own code (not node_modules, not node:): each node's
// subtree, counted once per stack even when a function recurses.
const maps = new Map<string, SourceMap | null>();
function where(url: string, line: number, col: number): string | null {
  if (!url.startsWith("file://") || url.includes("/node_modules/")) return null;
  const file = fileURLToPath(url);
  if (!maps.has(file)) maps.set(file, existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8"))) : null);
  const map = maps.get(file);
  const entry = map?.findEntry(line, col) as { originalSource?: string; originalLine?: number } | undefined;
  if (entry?.originalSource) return `${entry.originalSource.replace(/^.*?\/(server|components|app)\//, "$1/")}:${(entry.originalLine ?? 0) + 1}`;
  return `${file.replace(process.cwd() + "/", "")}:${line + 1}`;
}
const inclusive = new Map<string, number>();
const subtree = new Map<number, number>();
function sum(id: number): number {
  const n = byId.get(id)!;
  let t = self.get(id) ?? 0;
  for (const c of n.children ?? []) t += sum(c);
  subtree.set(id, t);
  return t;
}
const root = profile.nodes[0]!;
sum(root.id);
function walk(id: number, onStack: Set<string>) {
  const n = byId.get(id)!;
  const { functionName, url, lineNumber } = n.callFrame;
  const at = where(url, lineNumber, (n.callFrame as { columnNumber?: number }).columnNumber ?? 0);
  const key = at ? `${functionName || "(anonymous)"}  ${at}` : null;
  const fresh = key !== null && !onStack.has(key);
  if (fresh) {
    inclusive.set(key, (inclusive.get(key) ?? 0) + subtree.get(id)!);
    onStack.add(key);
  }
  for (const c of n.children ?? []) walk(c, onStack);
  if (fresh) onStack.delete(key);
}
walk(root.id, new Set());
console.log("\nour code, inclusive:");
for (const [k, us] of top(inclusive)) console.log(`${pct(us)}  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${k}`);
