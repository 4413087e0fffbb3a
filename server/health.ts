/**
 * What /api/health and /api/ready report: which engines this node runs on,
 * and whether they answer. Readiness is a list of named checks, so that a
 * load balancer (or docker's HEALTHCHECK) sends traffic only to a node whose
 * database (and Redis, when configured) answer.
 */
import type { Bus } from "./bus";
import type { PrismaClient } from "./generated/prisma/client";

export interface Health {
  readonly db: "sqlite" | "postgresql";
  readonly bus: Bus["kind"];
  /** Runs every check; `ok` only when all pass. */
  ready(): Promise<{ ok: boolean; checks: Record<string, { ok: boolean; error?: string }> }>;
}

export type Check = () => Promise<void>;

/** How long one check may take before it counts as failed: a readiness probe must answer quickly. */
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(check: Check): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    check().then(
      () => (clearTimeout(timer), resolve()),
      (err: unknown) => (clearTimeout(timer), reject(err)),
    );
  });
}

export function dbKind(databaseUrl: string): Health["db"] {
  return /^postgres(ql)?:/.test(databaseUrl) ? "postgresql" : "sqlite";
}

export function createHealth(deps: { databaseUrl: string; prisma: PrismaClient; bus: Bus; checks?: Record<string, Check> }): Health {
  const checks: Record<string, Check> = {
    database: async () => {
      await deps.prisma.$queryRaw`SELECT 1`;
    },
    ...deps.checks,
  };
  return {
    db: dbKind(deps.databaseUrl),
    bus: deps.bus.kind,
    async ready() {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            await withTimeout(check);
            return [name, { ok: true }] as const;
          } catch (err) {
            return [name, { ok: false, error: (err as Error).message }] as const;
          }
        }),
      );
      return { ok: results.every(([, r]) => r.ok), checks: Object.fromEntries(results) };
    },
  };
}
