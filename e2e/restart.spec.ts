/**
 * A deploy as a user lives it: the server restarts under an open room page.
 * The page goes from connected to reconnecting and back to connected by
 * itself, with no reload, and what was said across the restart arrives once.
 *
 * This spec runs its own production server (the compiled dist/index.mjs, as
 * `npm start` does) on a port and database of its own, so it can stop it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { joinAsGuest, messages, newUserPage } from "./helpers";

const ROOT = path.resolve(import.meta.dirname, "..");
const PORT = Number(process.env.E2E_PORT ?? 3210) + 1;
const BASE = `http://127.0.0.1:${PORT}`;

function startServer(dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["dist/index.mjs"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", PORT: String(PORT), HOST: "127.0.0.1", DATABASE_URL: `file:${path.join(dataDir, "chat.db")}`, RATE_SIGNIN_MAX: "1000" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start")), 60_000);
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("ready on")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => reject(new Error(`the server exited with ${code}`)));
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });

test("the room page reconnects by itself after the server restarts", async ({ browser }) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "relay-e2e-restart-"));
  let server = await startServer(dataDir);
  try {
    const { page, context } = await newUserPage(browser, { baseURL: BASE });
    await joinAsGuest(page, "Through the deploy");
    await page.goto("/r/general");
    const badge = page.getByTestId("connection");
    await expect(badge).toHaveAttribute("data-state", "connected");
    const box = page.getByLabel("Message #general");
    await box.fill("before the restart");
    await box.press("Enter");
    await expect(messages(page, "before the restart")).toHaveAttribute("data-status", "sent");

    const stopped = Date.now();
    await stop(server);
    expect(Date.now() - stopped).toBeLessThan(10_000);
    await expect(badge).not.toHaveAttribute("data-state", "connected");
    // Typed while the server is away: queued, sent once it is back.
    await box.fill("during the restart");
    await box.press("Enter");

    server = await startServer(dataDir);
    await expect(badge).toHaveAttribute("data-state", "connected", { timeout: 20_000 });
    await expect(messages(page, "during the restart")).toHaveAttribute("data-status", "sent", { timeout: 15_000 });
    await expect(messages(page, "during the restart")).toHaveCount(1);
    await expect(messages(page, "before the restart")).toHaveCount(1);
    await context.close();
  } finally {
    await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
