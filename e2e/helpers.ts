import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { expect, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "@playwright/test";

/**
 * Screenshots go to test-results/screenshots on every run; with
 * UPDATE_SCREENSHOTS=1 they are also copied to docs/screenshots (committed).
 */
export async function shot(page: Page, name: string) {
  const file = path.resolve("test-results/screenshots", `${name}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  if (process.env.UPDATE_SCREENSHOTS) {
    const dest = path.resolve("docs/screenshots", `${name}.png`);
    mkdirSync(path.dirname(dest), { recursive: true });
    copyFileSync(file, dest);
  }
}

export async function newUserPage(browser: Browser, options: BrowserContextOptions = {}) {
  const context = await browser.newContext(options);
  return { context, page: await context.newPage() };
}

export async function joinAsGuest(page: Page, name: string, query = "") {
  await page.goto(`/login${query}`);
  await page.getByLabel("Display name").fill(name);
  await page.getByRole("button", { name: "Join as guest" }).click();
  await expect(page.getByRole("heading", { name: "Rooms" })).toBeVisible();
}

export async function registerAccount(page: Page, username: string, password = "a good long password") {
  await page.goto("/login");
  await page.getByRole("tab", { name: "Register" }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Rooms" })).toBeVisible();
}

/** Sends over the page's own HTTP API (same cookies), bypassing the UI. */
export async function postMessage(page: Page, room: string, body: string) {
  const res = await page.request.post(`/api/rooms/${room}/messages`, {
    data: { clientId: crypto.randomUUID(), body },
  });
  expect(res.status()).toBe(201);
}

/** Creates a public room over the API; answers its slug. */
export async function createRoom(page: Page, name: string): Promise<string> {
  const res = await page.request.post("/api/rooms", { data: { name, visibility: "public" } });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { room: { slug: string } }).room.slug;
}

/** Opens a room and waits for its connection. */
export async function openRoom(page: Page, slug: string) {
  await page.goto(`/r/${slug}`);
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
}

export interface ScreenshotView {
  name: "1280" | "375";
  colorScheme: "light" | "dark";
  page: Page;
  close: () => Promise<void>;
}

/**
 * The four views the docs pictures are taken in, one at a time: 1280 px and
 * 375 px (a touch phone), each light and dark, signed in with `storage`.
 */
export async function* screenshotViews(
  browser: Browser,
  storage: Awaited<ReturnType<BrowserContext["storageState"]>>,
  heights: { desktop: number; phone: number },
): AsyncGenerator<ScreenshotView> {
  for (const [name, options] of [
    ["1280", { viewport: { width: 1280, height: heights.desktop } }],
    ["375", { viewport: { width: 375, height: heights.phone }, isMobile: true, hasTouch: true }],
  ] as const) {
    for (const colorScheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ ...options, colorScheme, storageState: storage });
      yield { name, colorScheme, page: await context.newPage(), close: () => context.close() };
    }
  }
}

export const messages = (page: Page, text: string | RegExp) => page.getByTestId("message").filter({ hasText: text });

const ROOT = path.resolve(import.meta.dirname, "..");
/** The e2e server's database: E2E_DATA_DIR in playwright.config.ts. */
const DATABASE_URL = `file:${path.join(ROOT, process.env.E2E_DATA_DIR ?? "test-results/e2e-data", "chat.db")}`;

/**
 * Promotes a user the way an operator would. The first account registered is
 * an admin already: that is this user when its spec runs alone.
 */
export function grantAdmin(username: string) {
  const out = execFileSync("npm", ["run", "--silent", "admin", "--", "grant", username], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL },
    encoding: "utf8",
  });
  // The first account of a fresh database is made admin at sign-up.
  expect(out).toMatch(new RegExp(`${username} is (now|already) an admin`));
}
