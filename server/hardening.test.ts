/**
 * Hardening checks that run in CI with the unit suite:
 * - No raw SQL built from strings: Prisma's `…RawUnsafe` methods (and
 *   Prisma.raw) appear nowhere in our code except the allowlisted lines
 *   below. Tagged `$queryRaw`…`` templates stay allowed: they bind values
 *   as parameters.
 * - Every installed copy of a dependency with a published advisory is at or
 *   above its floor in docs/advisory-floors.json. This registry does not
 *   answer `npm audit`, so the floors are checked against package-lock.json.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

const ROOT = path.resolve(import.meta.dirname, "..");

// ---- Raw SQL -----------------------------------------------------------------

const UNSAFE = /\$queryRawUnsafe\b|\$executeRawUnsafe\b|\bPrisma\.raw\s*\(/;
/** This file, which spells the forbidden forms out to test the scanner. */
const SELF = "server/hardening.test.ts";

/**
 * The only lines allowed to use them, matched exactly (trimmed): two PRAGMAs
 * with constant text at start-up. @prisma/adapter-better-sqlite3 7.10 takes
 * only better-sqlite3's open options (no pragmas, no journal mode), so they
 * cannot move into the adapter's configuration.
 */
const ALLOWED = [
  { file: "server/db.ts", line: 'await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");' },
  { file: "server/db.ts", line: 'await prisma.$queryRawUnsafe("PRAGMA foreign_keys = ON");' },
];

/** Our code: everything but dependencies, build output and the generated Prisma client. */
const SCANNED_DIRS = ["app", "components", "server", "prisma", "public", "e2e", "bench", "docs", "deploy"];
const SKIPPED = new Set(["node_modules", ".next", "generated", "test-results"]);
const CODE = /\.(?:[cm]?[jt]sx?)$/;

function sourceFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // a top-level folder this checkout does not have
  }
  return names.flatMap((name) => {
    if (SKIPPED.has(name)) return [];
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return CODE.test(name) ? [file] : [];
  });
}

interface Hit {
  file: string;
  line: string;
}

function findUnsafeSql(file: string, text: string): Hit[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => UNSAFE.test(line))
    .map((line) => ({ file, line }));
}

describe("raw SQL from strings", () => {
  const files = [
    ...SCANNED_DIRS.flatMap((d) => sourceFiles(path.join(ROOT, d))),
    ...readdirSync(ROOT).filter((n) => CODE.test(n)).map((n) => path.join(ROOT, n)),
  ];
  const hits = files
    .map((f) => path.relative(ROOT, f).split(path.sep).join("/"))
    .filter((f) => f !== SELF)
    .flatMap((f) => findUnsafeSql(f, readFileSync(path.join(ROOT, f), "utf8")));
  const allowed = (h: Hit) => ALLOWED.some((a) => a.file === h.file && a.line === h.line);

  it("the scanner finds each form it forbids", () => {
    const probe = [
      "await prisma.$queryRawUnsafe(`SELECT * FROM user WHERE name = '${name}'`);",
      "tx.$executeRawUnsafe(sql)",
      "prisma.$queryRaw`SELECT ${Prisma.raw(column)} FROM room`",
      "await prisma.$queryRaw`SELECT 1 WHERE id = ${id}`; // fine: bound",
    ].join("\n");
    assert.deepEqual(
      findUnsafeSql("probe.ts", probe).map((h) => h.line.slice(0, 24)),
      ["await prisma.$queryRawUn", "tx.$executeRawUnsafe(sql", "prisma.$queryRaw`SELECT "],
    );
    assert.ok(files.some((f) => f.endsWith(path.join("server", "db.ts"))), "the scan covers server/");
  });

  it("appears only on the allowlisted lines", () => {
    assert.deepEqual(hits.filter((h) => !allowed(h)), [], "use a tagged $queryRaw`…` template, which binds values");
  });

  it("has no stale allowlist entry", () => {
    for (const a of ALLOWED) assert.ok(hits.some((h) => h.file === a.file && h.line === a.line), `remove the allowlist entry for ${a.file}: ${a.line}`);
  });
});

// ---- Advisory floors -----------------------------------------------------------

/** -1, 0 or 1. Numeric major.minor.patch; a prerelease sorts before its release. */
function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?/.exec(v);
    if (!m) throw new Error(`not a version: ${v}`);
    return { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return x.nums[i]! < y.nums[i]! ? -1 : 1;
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

interface Floors {
  floors: Record<string, { min: string; why: string }>;
}

/** Every installed copy of `name` in a v2/v3 lockfile: "node_modules/ws", "node_modules/engine.io/node_modules/ws"… */
function installedCopies(lock: { packages: Record<string, { version?: string }> }, name: string) {
  return Object.entries(lock.packages)
    .filter(([key]) => key === `node_modules/${name}` || key.endsWith(`/node_modules/${name}`))
    .map(([key, v]) => ({ at: key, version: v.version ?? "" }));
}

describe("advisory floors", () => {
  const { floors } = JSON.parse(readFileSync(path.join(ROOT, "docs/advisory-floors.json"), "utf8")) as Floors;
  const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));

  it("compares versions numerically, prereleases first", () => {
    assert.equal(compareVersions("8.21.0", "8.21.0"), 0);
    assert.equal(compareVersions("8.9.0", "8.21.0"), -1, "9 < 21, not as text");
    assert.equal(compareVersions("16.1.5", "16.1.4"), 1);
    assert.equal(compareVersions("16.1.5-canary.3", "16.1.5"), -1);
    assert.equal(compareVersions("4.2.10", "4.2.6"), 1);
  });

  it("finds nested copies and flags one under its floor", () => {
    const fake = { packages: { "": {}, "node_modules/ws": { version: "8.23.0" }, "node_modules/engine.io/node_modules/ws": { version: "8.17.1" } } };
    const copies = installedCopies(fake, "ws");
    assert.deepEqual(copies.map((c) => c.at), ["node_modules/ws", "node_modules/engine.io/node_modules/ws"]);
    assert.deepEqual(copies.filter((c) => compareVersions(c.version, "8.21.0") < 0).map((c) => c.version), ["8.17.1"]);
  });

  it("lists the floors issue 9 asks for", () => {
    assert.deepEqual(Object.keys(floors).sort(), ["better-auth", "engine.io", "next", "socket.io-parser", "ws"]);
  });

  for (const [name, { min }] of Object.entries(floors)) {
    it(`every installed ${name} is >= ${min}`, () => {
      const copies = installedCopies(lock, name);
      assert.ok(copies.length > 0, `${name} is in package-lock.json (a floor for a package we do not install is stale)`);
      const below = copies.filter((c) => compareVersions(c.version, min) < 0);
      assert.deepEqual(below, [], `upgrade ${name} to ${min} or later`);
    });
  }
});
