/**
 * The pictures in docs/screenshots: lobby, room and admin at 1280 and 375 px,
 * light and dark, over a small realistic conversation in a room of its own
 * (other specs talk in #general). Written to
 * test-results/screenshots on every run; UPDATE_SCREENSHOTS=1 copies them
 * into docs/screenshots. The checks here are what the pictures promise:
 * nothing overflows sideways and the header's badges stay on one line.
 */
import { expect, test, type BrowserContext } from "@playwright/test";
import { grantAdmin, joinAsGuest, newUserPage, postMessage, registerAccount, shot } from "./helpers";

type State = Awaited<ReturnType<BrowserContext["storageState"]>>;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36).slice(-4)}`;

test("docs screenshots: lobby, room and admin at 1280 and 375, light and dark", async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  const lin = await newUserPage(browser);
  const linName = unique("lin_");
  await registerAccount(lin.page, linName);
  grantAdmin(linName);
  const mei = await newUserPage(browser);
  await joinAsGuest(mei.page, "Mei 梅");

  for (const room of [
    { name: "launch-plan", topic: "Everything for Thursday's launch" },
    { name: "设计评审", topic: "中文设计讨论" },
    { name: "release-train", topic: "What ships on Thursday" },
  ]) {
    const res = await lin.page.request.post("/api/rooms", { data: room });
    expect([201, 409]).toContain(res.status());
  }
  await postMessage(lin.page, "launch-plan", "Welcome to **Relay**! Rooms on the left, announcements up top.");
  await postMessage(mei.page, "launch-plan", "Thanks! Is the new build on staging yet?");
  await postMessage(lin.page, "launch-plan", "Yes, `v0.9.2` went out this morning. Notes: [changelog](https://example.com/changelog)");
  await postMessage(mei.page, "launch-plan", "Looks great in dark mode too 🌙");
  await postMessage(mei.page, encodeURIComponent("设计评审"), "新的配色方案已经上传，请大家看看。");
  await postMessage(lin.page, "release-train", "Freeze at 17:00, please merge before then.");
  const broadcast = await lin.page.request.post("/api/admin/broadcasts", {
    data: { text: "Maintenance on **Saturday 02:00 UTC**: expect a short reconnect.", level: "info" },
  });
  expect(broadcast.status()).toBe(201);
  const admin: State = await lin.context.storageState();
  await mei.context.close();
  await lin.context.close();

  const host = new URL(baseURL!).hostname;
  for (const width of [1280, 375]) {
    for (const theme of ["light", "dark"] as const) {
      const mobile = width < 640;
      const context = await browser.newContext({
        viewport: { width, height: mobile ? 740 : 800 },
        isMobile: mobile,
        hasTouch: mobile,
        colorScheme: theme,
        storageState: admin,
      });
      await context.addCookies([{ name: "theme", value: theme, domain: host, path: "/" }]);
      const page = await context.newPage();

      const fits = async () => {
        const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
        expect(scrollWidth).toBeLessThanOrEqual(innerWidth!);
        // Every header control is inside the viewport (none cut at the right edge).
        const right = await page.locator("header").first().evaluate((h) => Math.max(...[...h.querySelectorAll("a, button, select")].map((el) => el.getBoundingClientRect().right)));
        expect(right).toBeLessThanOrEqual(innerWidth!);
        const badge = page.getByTestId("admin-link");
        const box = await badge.boundingBox();
        expect(box!.height).toBeLessThan(24); // one line
      };

      await page.goto("/");
      await expect(page.getByTestId("rooms")).toContainText("dark mode too");
      await fits();
      await shot(page, `lobby-${theme}-${width}`);

      await page.goto("/r/launch-plan");
      await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
      await expect(page.getByTestId("message").filter({ hasText: "dark mode too" })).toBeVisible();
      await page.mouse.move(0, 0);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await fits();
      await shot(page, `room-${theme}-${width}`);

      await page.goto("/admin");
      await expect(page.getByTestId("broadcast-list")).toContainText("Maintenance");
      await expect(page.getByTestId("audit-log")).toContainText("Broadcast sent");
      await fits();
      await shot(page, `admin-${theme}-${width}`);
      await page.getByRole("heading", { name: "Moderation" }).scrollIntoViewIfNeeded();
      await page.getByRole("heading", { name: "Moderation" }).evaluate((el) => el.scrollIntoView({ block: "start" }));
      await shot(page, `admin-moderation-${theme}-${width}`);
      await context.close();
    }
  }

  // The admin badge stays on one line at 375 px in Chinese too.
  const zh = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, storageState: admin, locale: "zh-CN" });
  await zh.addCookies([{ name: "locale", value: "zh-CN", domain: host, path: "/" }]);
  const page = await zh.newPage();
  await page.goto("/");
  await expect(page.getByTestId("admin-link")).toHaveText("管理员");
  expect((await page.getByTestId("admin-link").boundingBox())!.height).toBeLessThan(24);
  const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth!);
  await shot(page, "lobby-zh-CN-375");
  await zh.close();
});
