/**
 * Structured logs (pino): one JSON line per event in production, for a log
 * collector; readable lines in development (pino-pretty, a dev dependency).
 * Every line names its component; errors carry their stack under `err`.
 *
 * LOG_LEVEL sets the level (default info; warn under NODE_ENV=test, so test
 * output shows what went wrong and not every start-up line).
 */
import { pino, type Logger } from "pino";

const env = process.env.NODE_ENV ?? "development";
const level = process.env.LOG_LEVEL ?? (env === "test" ? "warn" : "info");

/** Pretty only where a person reads it and the package is there (not in a production image). */
async function prettyStream() {
  if (env === "production" || process.env.LOG_FORMAT === "json") return undefined;
  try {
    const { default: pretty } = await import("pino-pretty");
    return pretty({ colorize: process.stdout.isTTY, ignore: "pid,hostname", translateTime: "HH:MM:ss.l" });
  } catch {
    return undefined;
  }
}

export const log: Logger = pino({ level, base: { pid: process.pid } }, await prettyStream());

/** A logger for one part of the server: `logger("socket").error({ err }, "handshake failed")`. */
export function logger(component: string): Logger {
  return log.child({ component });
}
