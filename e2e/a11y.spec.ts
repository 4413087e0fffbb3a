/**
 * axe-core on every page, in both themes and both languages: 0 serious or
 * critical violations (WCAG 2.2 A/AA rules). One browser context per theme,
 * language and kind of visitor, all reusing sign-ins made once.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { grantAdmin, postMessage, registerAccount } from "./helpers";

const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}`;
const CHINESE_ROOM = "无障碍检查";
const THEMES = ["light", "dark"] as const;
const LANGS = ["en", "zh-CN"] as const;

type State = Awaited<ReturnType<BrowserContext["storageState"]>>;
let admin: State;
let member: State;
/** A DM between the admin and the member (its page is audited like a room's). */
let dmSlug: string;

test.beforeAll(async ({ browser }) => {
  const a = await browser.newContext();
  const page = await a.newPage();
  const name = unique("a11y_admin");
  await registerAccount(page, name);
  grantAdmin(name);
  await postMessage(page, "general", "Hello **everyone** — checking contrast with `code` and a [link](https://example.com).");
  const created = await page.request.post("/api/rooms", { data: { name: CHINESE_ROOM, topic: "每个页面都要通过 axe" } });
  expect([201, 409]).toContain(created.status());
  await postMessage(page, encodeURIComponent(CHINESE_ROOM), "大家好 👋");
  admin = await a.storageState();
  await a.close();

  const m = await browser.newContext();
  const memberPage = await m.newPage();
  const memberName = unique("a11y_member");
  await registerAccount(memberPage, memberName);
  // Written in a public room: the admin may then open a DM with them.
  await postMessage(memberPage, "general", "Hi from the member 你好");
  member = await m.storageState();
  await m.close();

  const again = await browser.newContext({ storageState: admin });
  const dm = await again.request.post("/api/dms", { data: { username: memberName } });
  expect(dm.status()).toBe(200);
  dmSlug = ((await dm.json()) as { room: { slug: string } }).room.slug;
  await postMessage(await again.newPage(), dmSlug, "A direct message with **formatting**");
  await again.close();
});

async function contextFor(browser: Browser, theme: (typeof THEMES)[number], lang: (typeof LANGS)[number], state?: State) {
  const context = await browser.newContext({ colorScheme: theme, locale: lang, storageState: state, viewport: { width: 1280, height: 800 } });
  const url = new URL(test.info().project.use.baseURL!);
  await context.addCookies([
    { name: "theme", value: theme, domain: url.hostname, path: "/" },
    { name: "locale", value: lang, domain: url.hostname, path: "/" },
  ]);
  return context;
}

async function audit(page: Page, label: string) {
  // Fonts loaded, so contrast is measured on the text as drawn. (Not
  // "networkidle": the embed and the examples hold an event stream open.)
  await page.waitForLoadState("load");
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const summary = bad.map(
    (v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")} ${n.html.slice(0, 120)} ${n.failureSummary?.split("\n").slice(1, 2).join("") ?? ""}`).join(" | ")}`,
  );
  expect.soft(summary, `${label}: ${page.url()}`).toEqual([]);
}

for (const theme of THEMES) {
  for (const lang of LANGS) {
    test(`every page passes axe: ${theme}, ${lang}`, async ({ browser }) => {
      // Sixteen pages, each loaded and analysed.
      test.setTimeout(240_000);
      const signedIn = await contextFor(browser, theme, lang, admin);
      const page = await signedIn.newPage();

      await page.goto("/");
      await expect(page.getByTestId("rooms")).toBeVisible();
      await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe(theme);
      await audit(page, "lobby");

      await page.goto("/r/general");
      await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
      await expect(page.getByTestId("message").first()).toBeVisible();
      // Entering a room puts the caret in the composer.
      await expect(page.locator("#composer")).toBeFocused();
      await audit(page, "room");

      await page.goto(`/r/${encodeURIComponent(CHINESE_ROOM)}`);
      await expect(page.getByTestId("message").filter({ hasText: "大家好" }).first()).toBeVisible();
      await audit(page, "room named in Chinese");

      await page.goto(`/r/${dmSlug}`);
      await expect(page.getByTestId("message").filter({ hasText: "A direct message" })).toBeVisible();
      await audit(page, "DM");

      await page.goto(`/search?q=${encodeURIComponent("你好")}`);
      await expect(page.locator("mark").first()).toBeVisible();
      await audit(page, "search results");

      await page.goto("/admin");
      await expect(page.getByTestId("audit-log")).toBeVisible();
      await expect(page.getByTestId("broadcast-list")).toBeVisible();
      await audit(page, "admin");

      await page.goto("/diagnostics");
      await expect(page.getByTestId("diag-ws")).toHaveAttribute("data-result", "ok", { timeout: 15_000 });
      await expect(page.getByTestId("diag-sse")).toHaveAttribute("data-result", "spaced", { timeout: 15_000 });
      await audit(page, "diagnostics");

      const missing = await page.goto("/no-such-page");
      expect(missing?.status()).toBe(404);
      await audit(page, "404");

      await page.goto(`/embed/general?theme=${theme}`);
      await expect(page.locator("#log li").first()).toBeVisible();
      await audit(page, "embed");

      for (const example of ["index", "polling", "long-polling", "sse", "websocket"]) {
        await page.goto(`/examples/${example}.html`);
        await audit(page, `example ${example}`);
      }
      await signedIn.close();

      const asMember = await contextFor(browser, theme, lang, member);
      const memberPage = await asMember.newPage();
      const forbidden = await memberPage.goto("/admin");
      expect(forbidden?.status()).toBe(403);
      await audit(memberPage, "forbidden");
      await asMember.close();

      const signedOut = await contextFor(browser, theme, lang);
      const login = await signedOut.newPage();
      await login.goto("/login");
      await audit(login, "login");
      await signedOut.close();
    });
  }
}

test("panels take focus and close with Escape; the retract confirmation is a modal dialog", async ({ browser }) => {
  const context = await contextFor(browser, "light", "en", admin);
  const page = await context.newPage();
  await page.goto("/r/general");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  const share = page.getByRole("button", { name: "Share" });
  await share.click();
  const panel = page.getByRole("region", { name: "Share a live feed" });
  await expect(panel).toBeVisible();
  await expect.poll(() => panel.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await expect(share).toBeFocused();

  const sent = await page.request.post("/api/admin/broadcasts", { data: { text: "Retract me", level: "info" } });
  expect(sent.status()).toBe(201);
  await page.goto("/admin");
  const row = page.getByTestId("broadcast-row").filter({ hasText: "Retract me" });
  await row.getByRole("button", { name: "Retract" }).click();
  const dialog = page.getByRole("dialog", { name: "Retract this announcement?" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Keep it" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(row.getByRole("button", { name: "Retract" })).toBeVisible();
  await row.getByRole("button", { name: "Retract" }).click();
  await dialog.getByRole("button", { name: "Retract" }).click();
  await expect(row).toContainText("retracted");
  await context.close();
});
