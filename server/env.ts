/**
 * The environment, validated once at start. A bad value stops the process with
 * one line naming the variable. .env.example lists every variable.
 */
import { z } from "zod";
import { parseTrustProxy } from "./http/forwarded";

const csv = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? "")
      .split(",")
      .map((x) => x.trim().replace(/\/+$/, ""))
      .filter(Boolean),
  );

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** An optional string where an empty value (`NAME=` in .env) means unset. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  /** file:… is SQLite (the default, no service needed); postgresql://… or postgres://… is PostgreSQL. */
  DATABASE_URL: z
    .string()
    .trim()
    .default("file:./data/chat.db")
    .refine(
      (u) => /^file:./.test(u) || (/^postgres(ql)?:\/\/./.test(u) && URL.canParse(u)),
      "must be file:<path> (SQLite) or postgresql://user@host:port/database (PostgreSQL; postgres:// too)",
    ),
  /** Signs session cookies. Generated and kept in ./data when not set. */
  BETTER_AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** Extra origins trusted besides the request's own (comma-separated). */
  APP_ORIGIN: csv.pipe(z.array(z.url({ message: "must be a comma-separated list of URLs" }))),
  /**
   * Origins allowed to read SSE feeds cross-origin (embeds), comma-separated;
   * "*" (the default) allows any, without credentials.
   */
  FEED_ALLOWED_ORIGINS: csv.pipe(z.array(z.union([z.literal("*"), z.url({ message: "must be * or a comma-separated list of URLs" })]))),
  /** Messages one user may send per window. */
  RATE_MESSAGES_MAX: positiveInt(20),
  RATE_MESSAGES_WINDOW_MS: positiveInt(10_000),
  /** Rooms one user may create per window. */
  RATE_ROOMS_MAX: positiveInt(10),
  RATE_ROOMS_WINDOW_MS: positiveInt(3_600_000),
  /** API and feed tokens one user may create per window. */
  RATE_TOKENS_MAX: positiveInt(10),
  RATE_TOKENS_WINDOW_MS: positiveInt(3_600_000),
  /** SSE streams one client address may hold open on a node, and all addresses together. */
  SSE_MAX_PER_ADDRESS: positiveInt(20),
  SSE_MAX_TOTAL: positiveInt(5_000),
  /** Sign-in / sign-up attempts per client address per window. */
  RATE_SIGNIN_MAX: positiveInt(10),
  RATE_SIGNIN_WINDOW_MS: positiveInt(60_000),
  MIN_PASSWORD_LENGTH: positiveInt(8),
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  METRICS_TOKEN: optional(z.string().min(16, "must be at least 16 characters")),
  /** Names this process in /metrics and the admin page; hostname-pid when unset. */
  NODE_ID: optional(z.string().trim().min(1).max(100)),
  /**
   * Which peers' X-Forwarded-For/-Proto/-Host to believe: a hop count, or
   * proxy addresses and subnets (comma-separated; "loopback" and friends).
   * Unset: none (the client is the TCP peer).
   */
  TRUST_PROXY: optional(z.string().trim().refine((v) => {
    try {
      parseTrustProxy(v);
      return true;
    } catch {
      return false;
    }
  }, 'must be a hop count or a comma-separated list of proxy addresses or subnets (not "true")')),
  /** Redis for a cluster: the bus, presence, rate limits and the nodes' figures. Unset: one node, in memory. */
  REDIS_URL: optional(z.string().regex(/^rediss?:\/\//, "must start with redis:// or rediss://")),
  /** Prefix of every Redis key and channel, so that deployments (or test runs) can share a Redis. */
  REDIS_PREFIX: z.string().min(1).max(64).default("relay:"),
});

export type Env = z.infer<typeof envSchema>;

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? "environment");
    throw new Error(`Invalid environment variable ${name}: ${issue.message}`);
  }
  return result.data;
}
