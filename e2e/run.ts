/**
 * Runs the end-to-end specs in two groups at once, each its own Playwright
 * process with its own server, port and database (`npm run test:e2e:run`).
 *
 * Why not Playwright's workers: the specs share one server per run and were
 * written for a fresh database (unique names, the first account is the
 * admin, broadcasts go to every room). Two servers keep each group exactly
 * as isolated as a run of those specs alone, and most of an e2e test's time
 * is waiting (sockets, timers, the other page), so two groups at once take
 * far less wall time on CI's two cores than one after the other.
 *
 * Groups are balanced by the rough cost of each spec (seconds, measured on
 * CI's machine; a new spec counts as DEFAULT_COST until it is listed).
 * Arguments pass straight to one Playwright process instead (a spec, --grep,
 * --project…), as `npx playwright test -c e2e …` would.
 * E2E_GROUPS=1 runs everything in one process, as before.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";

const ROOT = path.resolve(import.meta.dirname, "..");
const BASE_PORT = Number(process.env.E2E_PORT ?? 3210);
/** restart.spec.ts starts a server of its own at E2E_PORT + 1: groups are this far apart. */
const PORT_STEP = 10;
const DEFAULT_COST = 20;
const COST: Record<string, number> = {
  "a11y.spec.ts": 130,
  "orientation.spec.ts": 75,
  "formatting.spec.ts": 60,
  "conversation.spec.ts": 45,
  "chat.spec.ts": 35,
  "broadcast.spec.ts": 27,
  "screenshots.spec.ts": 25,
  "transports.spec.ts": 25,
  "security.spec.ts": 21,
  "dm-search.spec.ts": 21,
  "admin.spec.ts": 19,
  "i18n.spec.ts": 14,
  "message-list.spec.ts": 13,
  "restart.spec.ts": 12,
  "moderation.spec.ts": 9,
  "embed.spec.ts": 6,
};

/** Longest first, each to the lightest group so far. */
function balance(specs: string[], groups: number): string[][] {
  const out = Array.from({ length: groups }, () => ({ cost: 0, specs: [] as string[] }));
  const cost = (s: string) => COST[s] ?? DEFAULT_COST;
  for (const spec of [...specs].sort((a, b) => cost(b) - cost(a) || a.localeCompare(b))) {
    const lightest = out.reduce((min, g) => (g.cost < min.cost ? g : min));
    lightest.cost += cost(spec);
    lightest.specs.push(spec);
  }
  return out.filter((g) => g.specs.length).map((g) => g.specs.sort());
}

function playwright(args: string[], env: Record<string, string>, label: string | null): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules/@playwright/test/cli.js"), "test", "-c", "e2e", ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: label ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    if (label) {
      for (const stream of [child.stdout!, child.stderr!]) {
        readline.createInterface({ input: stream }).on("line", (line) => console.log(`[${label}] ${line}`));
      }
    }
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main() {
  const passthrough = process.argv.slice(2);
  const groups = Number(process.env.E2E_GROUPS ?? 2);
  if (passthrough.length || groups <= 1) process.exit(await playwright(passthrough, {}, null));

  const specs = readdirSync(path.join(ROOT, "e2e")).filter((f) => f.endsWith(".spec.ts"));
  const plan = balance(specs, groups);
  console.log(`e2e: ${specs.length} specs in ${plan.length} groups, each with its own server`);
  plan.forEach((g, i) => console.log(`  e2e ${i + 1}: ${g.join(" ")}`));
  const codes = await Promise.all(
    plan.map((g, i) =>
      playwright(g.map((s) => `e2e/${s}`), {
        E2E_PORT: String(BASE_PORT + i * PORT_STEP),
        E2E_DATA_DIR: `test-results/e2e-data-${i + 1}`,
        E2E_OUTPUT_DIR: `test-results/e2e-${i + 1}`,
      }, `e2e ${i + 1}`),
    ),
  );
  codes.forEach((c, i) => console.log(`e2e ${i + 1}: ${c === 0 ? "passed" : `failed (exit ${c})`}`));
  process.exit(codes.every((c) => c === 0) ? 0 : 1);
}

await main();
