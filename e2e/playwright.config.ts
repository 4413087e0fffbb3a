/**
 * End-to-end tests in real Chromium against the production build served by
 * our own server (one port: pages, API, Socket.IO) over a throwaway database.
 *
 * Browser choice is automatic: Playwright's own Chromium when it is installed
 * on this machine, otherwise the system's (Debian's /usr/bin/chromium, or
 * CHROMIUM_PATH). Nothing is ever downloaded.
 */
import { existsSync } from "node:fs";
import { chromium, defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3210);
// e2e/run.ts gives each group of specs its own server: database and output apart too.
const DATA_DIR = process.env.E2E_DATA_DIR ?? "test-results/e2e-data";
const OUTPUT_DIR = process.env.E2E_OUTPUT_DIR ?? "test-results";

function systemChromium(): string | undefined {
  let bundled: string | undefined;
  try {
    bundled = chromium.executablePath();
  } catch {
    bundled = undefined;
  }
  if (bundled && existsSync(bundled)) return undefined; // Playwright's own browser
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found) throw new Error("No Chromium found: install Debian's `chromium` or set CHROMIUM_PATH");
  return found;
}

const launchOptions = {
  executablePath: systemChromium(),
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};

export default defineConfig({
  testDir: ".",
  outputDir: `../${OUTPUT_DIR}`,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions,
    trace: "retain-on-failure",
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 }, launchOptions } },
    // The narrow layout is what differs on mobile; transport behaviour does not.
    {
      name: "mobile",
      testMatch: /chat\.spec\.ts/,
      use: { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, launchOptions },
    },
  ],
  webServer: {
    command: "node --import tsx e2e/serve.ts",
    cwd: "..",
    url: `http://127.0.0.1:${PORT}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    // Every test signs in fresh users from one address: lift the sign-in limit.
    // E2E_DATA_DIR (relative to the repo root): the database at a known path,
    // so admin.spec.ts can grant admin with `npm run admin`; emptied at start.
    env: { PORT: String(PORT), HOST: "127.0.0.1", NODE_ENV: "production", RATE_SIGNIN_MAX: "1000", E2E_DATA_DIR: DATA_DIR },
    stdout: "pipe",
  },
});
