/**
 * Rate limits, through rate-limiter-flexible: a memory store on one node, a
 * Redis store (one count for the whole cluster) when REDIS_URL is set. If
 * Redis stops answering, each node falls back to its own memory limiter
 * (the "insurance" limiter) instead of letting everything through or
 * refusing everything.
 *
 * A refusal is an AppError("rate_limited") carrying `retryAfter` in ms: the
 * socket ack and the HTTP body say how long to wait, and HTTP adds
 * `Retry-After`.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { AppError } from "../errors";
import type { RedisConnections } from "../redis";

export interface Limiter {
  /** Counts one hit for `key`; throws rate_limited (with retryAfter) when over the limit. */
  take(key: string): Promise<void>;
}

export interface LimitRule {
  points: number;
  windowMs: number;
  /** What the refusal says (the catalog renders it from the code and params). */
  message: string;
}

function build(name: string, rule: { points: number; windowMs: number }, redis?: RedisConnections): RateLimiterAbstract {
  // rate-limiter-flexible counts in whole seconds.
  const duration = Math.max(1, Math.ceil(rule.windowMs / 1000));
  const memory = new RateLimiterMemory({ keyPrefix: name, points: rule.points, duration });
  if (!redis) return memory;
  return new RateLimiterRedis({
    storeClient: redis.client,
    keyPrefix: `${redis.prefix}limit:${name}`,
    points: rule.points,
    duration,
    insuranceLimiter: memory,
  });
}

export function createLimiter(name: string, rule: LimitRule, redis?: RedisConnections): Limiter {
  const limiter = build(name, rule, redis);
  return {
    async take(key) {
      try {
        await limiter.consume(key);
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          throw new AppError("rate_limited", rule.message, { retryAfter: Math.max(1, err.msBeforeNext) });
        }
        throw err;
      }
    },
  };
}

/**
 * better-auth's sign-in and sign-up limits in the same store, so that they
 * hold across nodes too (better-auth's own memory store is per process).
 */
export function authRateLimitStorage(redis?: RedisConnections) {
  const limiters = new Map<string, RateLimiterAbstract>();
  return {
    async consume(key: string, rule: { window: number; max: number }) {
      const id = `${rule.window}:${rule.max}`;
      let limiter = limiters.get(id);
      if (!limiter) limiters.set(id, (limiter = build(`auth:${id}`, { points: rule.max, windowMs: rule.window * 1000 }, redis)));
      try {
        await limiter.consume(key);
        return { allowed: true, retryAfter: null };
      } catch (err) {
        if (err instanceof RateLimiterRes) return { allowed: false, retryAfter: Math.ceil(err.msBeforeNext / 1000) };
        throw err;
      }
    },
  };
}
