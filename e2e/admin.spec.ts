import { expect, test } from "@playwright/test";
import { grantAdmin, newUserPage, postMessage, registerAccount, shot } from "./helpers";

const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}`;

/**
 * The first registered account becomes admin, and this file may run first in
 * a fresh database (files run in name order). Make sure that slot is taken,
 * so every account below starts as a member whatever ran before.
 */
test.beforeAll(async ({ request, baseURL }) => {
  const res = await request.post("/api/auth/sign-up/email", {
    headers: { origin: baseURL! },
    data: { username: unique("e2e_owner"), password: "a good long password" },
  });
  expect(res.ok()).toBe(true);
});

test("a signed-out visitor is sent to sign in, and back to /admin after", async ({ page }) => {
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/login\?next=(%2F|\/)admin$/);
  // A new account is a member: back at /admin, it meets the 403 page.
  await page.getByRole("tab", { name: "Register" }).click();
  await page.getByLabel("Username").fill(unique("returning"));
  await page.getByLabel("Password").fill("a good long password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
});

test("a member gets a 403 page, and the stats endpoint refuses them", async ({ browser }) => {
  const { page, context } = await newUserPage(browser);
  await registerAccount(page, unique("member"));
  await expect(page.getByTestId("admin-link")).toHaveCount(0);

  const res = await page.goto("/admin");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
  await expect(page.getByTestId("live-operations")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible(); // to switch accounts
  expect((await page.request.get("/api/admin/stats")).status()).toBe(403);
  await shot(page, "admin-forbidden-1280");
  await context.close();
});

test("an admin watches live operations: their own socket, room and message", async ({ browser }) => {
  const name = unique("ops");
  const { page, context } = await newUserPage(browser);
  await registerAccount(page, name);
  grantAdmin(name);

  // A chat tab holds a Socket.IO connection in #general.
  const chat = await context.newPage();
  await chat.goto("/r/general");
  await expect(chat.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await postMessage(chat, "general", `watched by ${name}`);

  // The header's admin badge leads to the panel.
  await page.goto("/");
  await page.getByTestId("admin-link").click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole("heading", { name: "Live operations" })).toBeVisible();

  const live = page.getByTestId("live-operations");
  await expect(live.getByTestId("live-status")).toHaveAttribute("data-status", "live");
  await expect.poll(async () => Number(await live.getByTestId("conn-socketio-websocket").textContent())).toBeGreaterThanOrEqual(1);
  await expect(live.getByTestId("online-rooms")).toContainText("general");
  await expect.poll(async () => Number(await live.getByTestId("messages-total").textContent())).toBeGreaterThanOrEqual(1);
  await expect(live.getByTestId("persist-p99")).toHaveText(/\d ms$/);
  await expect(live.getByRole("img", { name: /Messages per minute over the last hour/ })).toBeVisible();

  // Live: a second socket (another tab) shows up at the next poll, without a reload.
  const before = Number(await live.getByTestId("conn-socketio-websocket").textContent());
  const second = await context.newPage();
  await second.goto("/r/general");
  await expect(second.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await expect.poll(async () => Number(await live.getByTestId("conn-socketio-websocket").textContent())).toBeGreaterThan(before);
  await second.close();

  await shot(page, "admin-live-1280");

  // Narrow screens: cards stack, nothing overflows sideways.
  await page.setViewportSize({ width: 375, height: 740 });
  const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth!);
  await shot(page, "admin-live-375");
  await context.close();
});

test("the panel speaks Chinese too", async ({ browser }) => {
  const name = unique("zh_ops");
  const { page, context } = await newUserPage(browser);
  await registerAccount(page, name);
  grantAdmin(name);
  await context.addCookies([{ name: "locale", value: "zh-CN", url: page.url() }]);
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "实时运行状态" })).toBeVisible();
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-status", "live");
  await context.close();
});
