/**
 * A .env file in the working directory, when present (see .env.example).
 * Imported first by the entry points, so that every module after it (the
 * logger reads LOG_LEVEL when it loads) sees the same environment.
 */
import { existsSync } from "node:fs";

if (existsSync(".env")) process.loadEnvFile(".env");
