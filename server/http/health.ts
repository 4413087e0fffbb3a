/**
 * GET /api/health and GET /api/ready.
 *
 * Health says what this process is (liveness: answering at all is the
 * answer): which database and bus it runs on, its node id and version.
 * Readiness says whether it can serve: every named check must pass, or the
 * answer is 503 with the reason, so a load balancer (or Docker's HEALTHCHECK)
 * sends traffic only to nodes whose dependencies answer. A dependency that
 * comes with a new configuration (Redis) adds one entry to the checks.
 */
import type { Bus } from "../bus";
import { providerOf, type Provider } from "../db";

/**
 * A check slower than this counts as failed: a database that takes seconds
 * for `SELECT 1` cannot serve chat, and probes expect an answer quickly
 * (Docker's and most balancers' probe timeouts start around 5 s).
 */
export const CHECK_TIMEOUT_MS = 2_000;

export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency answers; rejects (or times out) otherwise. */
  run(): Promise<unknown>;
}

export type CheckResult = { ok: true; ms: number } | { ok: false; ms: number; error: string };

export interface Readiness {
  ok: boolean;
  /** The first failing check and why; only when not ok. */
  reason?: string;
  checks: Record<string, CheckResult>;
}

async function runOne(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check.run(), timeout]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    // One line: the first that says something (Prisma opens with "Invalid `…` invocation:").
    const lines = ((err as Error)?.message ?? String(err)).split("\n").map((l) => l.trim());
    const error = lines.find((l) => l && !/^Invalid `.*` invocation/.test(l)) ?? "failed";
    return { ok: false, ms: Math.round(performance.now() - started), error: error.slice(0, 300) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once; ready only when all pass. */
export async function checkReadiness(checks: ReadinessCheck[], timeoutMs = CHECK_TIMEOUT_MS): Promise<Readiness> {
  const results = await Promise.all(checks.map(async (c) => [c.name, await runOne(c, timeoutMs)] as const));
  const failed = results.find(([, r]) => !r.ok);
  return {
    ok: !failed,
    ...(failed && !failed[1].ok ? { reason: `${failed[0]}: ${failed[1].error}` } : {}),
    checks: Object.fromEntries(results),
  };
}

/** What /api/health says of this node, and its readiness. */
export interface Health {
  readonly db: Provider;
  readonly bus: Bus["kind"];
  ready(): Promise<Readiness>;
}

/** The checks of a node: its database, and Redis when it has one. */
export function createHealth(deps: { databaseUrl: string; bus: Bus; checks: ReadinessCheck[] }): Health {
  return {
    db: providerOf(deps.databaseUrl),
    bus: deps.bus.kind,
    ready: () => checkReadiness(deps.checks),
  };
}
