/**
 * Knowing where you are (issue 11, parts 1 and 2): unread counts in the
 * sidebar across tabs, the divider, the tab title, notifications while
 * hidden, the quick switcher by keyboard, a guest who registers and keeps
 * their messages, and drafts that survive a reload.
 */
import { expect, test, type Page } from "@playwright/test";
import { createRoom, joinAsGuest, newUserPage, postMessage, registerAccount, shot } from "./helpers";

const sidebarRoom = (page: Page, slug: string) => page.getByTestId("sidebar").locator(`[data-room="${slug}"]`);

/** The tab title's count: `(3) #general · Relay` is 3, no count is 0. */
async function titleCount(page: Page, room: string): Promise<number> {
  const title = await page.title();
  const m = new RegExp(`^(?:\\((\\d+)\\) )?#${room} · Relay$`).exec(title);
  if (!m) throw new Error(`unexpected title ${title}`);
  return Number(m[1] ?? 0);
}

/** The title's count once it agrees with the sidebar (the title follows the list a render later). */
async function settledTitleCount(page: Page, room: string): Promise<number> {
  const sidebarTotal = () =>
    page.getByTestId("sidebar-room").evaluateAll((links) =>
      links.reduce((n, a) => n + (/muted/.test(a.getAttribute("aria-label") ?? "") ? 0 : Number(a.getAttribute("data-unread") ?? 0)), 0),
    );
  await expect.poll(async () => (await titleCount(page, room)) === (await sidebarTotal())).toBe(true);
  return titleCount(page, room);
}


/** The screenshots' rooms, made by the first variant and found by the others. */
async function roomNamed(page: Page, name: string): Promise<string> {
  const res = await page.request.get("/api/rooms");
  const found = ((await res.json()) as { rooms: { slug: string; name: string }[] }).rooms.find((r) => r.name === name);
  return found ? found.slug : createRoom(page, name);
}

// First in the file, so the list shows the screenshots' own rooms (when this spec runs alone).
const VARIANTS = [
  { scheme: "light", width: 1280, user: "ada", writer: "Mira", lines: ["I pushed two header variants to the design doc.", "Thanks, I will look after lunch.", "Variant B keeps the search field visible at 375 px.", "Contrast checked in both themes ✅"] },
  { scheme: "dark", width: 1280, user: "grace", writer: "Jonas", lines: ["Left a few notes on the spacing in variant B.", "Agreed on the 8 px grid.", "Updated the mockups with the sidebar drawer.", "Dark mode looks right now 🌙"] },
  { scheme: "light", width: 375, user: "linus", writer: "Priya", lines: ["Can we keep the mention badge red?", "Yes, it has to stand out from the count.", "Done: the badge reads “@1” now.", "Screen reader labels added too."] },
  { scheme: "dark", width: 375, user: "margaret", writer: "Tomás", lines: ["Last round before sign-off: comments by Friday, please.", "Will do.", "Final files are in the shared folder 📁", "Thanks all, shipping on Monday."] },
] as const;
for (const v of VARIANTS) {
  test(`sidebar screenshot, ${v.scheme}, ${v.width} px`, async ({ browser }) => {
    const phone = v.width === 375;
    const viewport = phone ? { width: 375, height: 740 } : { width: 1280, height: 800 };
    const { context, page } = await newUserPage(browser, { viewport, colorScheme: v.scheme, isMobile: phone, hasTouch: phone });
    await registerAccount(page, v.user);
    const design = await roomNamed(page, "Design reviews");
    const release = await roomNamed(page, "Release train");
    await roomNamed(page, "Random");
    const writer = await newUserPage(browser);
    await joinAsGuest(writer.page, v.writer);

    // An earlier visit to Design reviews, read to the end (over HTTP: the position past the head is clamped to it).
    await postMessage(writer.page, design, v.lines[0]);
    await postMessage(page, design, v.lines[1]);
    expect((await page.request.post(`/api/rooms/${design}/read`, { data: { seq: 1_000_000_000 } })).status()).toBe(200);
    await page.goto("/r/general");
    await expect(sidebarRoom(page, design)).toHaveAttribute("data-unread", "0");
    // Meanwhile:
    await postMessage(writer.page, design, v.lines[2]);
    await postMessage(writer.page, design, v.lines[3]);
    await postMessage(writer.page, release, `@${v.user} build ${214 + VARIANTS.indexOf(v)} is green, can you cut the release?`);
    await expect(sidebarRoom(page, release)).toHaveAttribute("data-mentions", "1");
    if (phone) await page.goto(`/r/${design}`);
    else await sidebarRoom(page, design).click();
    await expect(page.getByTestId("unread-divider")).toBeVisible();
    // Read where it opens (everything new fits on screen): the count goes as the server acknowledges.
    await expect(sidebarRoom(page, design)).toHaveAttribute("data-unread", "0");
    if (phone) {
      await page.getByTestId("sidebar-toggle").click();
      await expect(page.getByTestId("sidebar")).toBeVisible();
    }
    await shot(page, `sidebar-${v.scheme}-${v.width}`);
    await context.close();
    await writer.context.close();
  });
}

test("unread counts rise and clear across two tabs, with the divider and the title", async ({ browser }) => {
  const reader = await newUserPage(browser);
  await registerAccount(reader.page, "reader");
  const slug = await createRoom(reader.page, "Orientation");
  const other = await reader.context.newPage();
  await reader.page.goto("/r/general");
  await other.goto("/r/general");
  for (const p of [reader.page, other]) await expect(sidebarRoom(p, slug)).toHaveAttribute("data-unread", "0");
  // The room on screen is read as it shows; whatever else other specs left unread stays as it is.
  await expect(sidebarRoom(reader.page, "general")).toHaveAttribute("data-unread", "0");
  const before = await settledTitleCount(reader.page, "general");

  const writer = await newUserPage(browser);
  await joinAsGuest(writer.page, "Writer");
  await postMessage(writer.page, slug, "first news");
  await postMessage(writer.page, slug, "hey @reader, a question");
  await postMessage(writer.page, slug, "third news");

  // Both tabs count them live, mentions apart; the title says so.
  for (const p of [reader.page, other]) {
    await expect(sidebarRoom(p, slug)).toHaveAttribute("data-unread", "3");
    await expect(sidebarRoom(p, slug)).toHaveAttribute("data-mentions", "1");
    await expect(sidebarRoom(p, slug).getByTestId("mention-badge")).toHaveText("@1");
  }
  await expect.poll(() => titleCount(reader.page, "general")).toBe(before + 3);
  expect(await reader.page.title()).toBe(`(${before + 3}) #general · Relay`);

  // One tab opens the room: the divider marks the first unread message, and reading clears the count in the other tab at once.
  await other.goto(`/r/${slug}`);
  const divider = other.getByTestId("unread-divider");
  await expect(divider).toHaveText("New since your last visit");
  await expect(other.getByTestId("read-bar")).toContainText("3 new messages since your last visit");
  await expect(other.getByTestId("day-separator").first()).toHaveText("Today");
  await expect(sidebarRoom(reader.page, slug)).toHaveAttribute("data-unread", "0");
  await expect(sidebarRoom(reader.page, slug)).toHaveAttribute("data-mentions", "0");
  await expect.poll(() => titleCount(reader.page, "general")).toBe(before);

  // It stays read after a reload (the server keeps it); the divider is gone, nothing being new.
  await other.getByTestId("mark-read").click();
  await expect(other.getByTestId("unread-divider")).toHaveCount(0);
  await reader.page.reload();
  await expect(sidebarRoom(reader.page, slug)).toHaveAttribute("data-unread", "0");

  // While one tab reads the room, new messages there never count; elsewhere they do.
  await postMessage(writer.page, slug, "fourth news");
  await expect(other.getByTestId("message").filter({ hasText: "fourth news" })).toBeVisible();
  await expect(sidebarRoom(reader.page, slug)).toHaveAttribute("data-unread", "0");

  await reader.context.close();
  await writer.context.close();
});

test("a mention notifies while the page is hidden, once opted in from the settings menu", async ({ browser }) => {
  const { context, page } = await newUserPage(browser);
  await context.grantPermissions(["notifications"]);
  await context.addInitScript(() => {
    const w = window as unknown as { __hidden: boolean; __notes: { title: string; body?: string }[] };
    w.__hidden = false;
    w.__notes = [];
    Object.defineProperty(Document.prototype, "visibilityState", { configurable: true, get: () => (w.__hidden ? "hidden" : "visible") });
    Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => w.__hidden });
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        w.__notes.push({ title, body: options?.body });
      }
    }
    window.Notification = Recorded as unknown as typeof Notification;
  });
  await registerAccount(page, "notified");
  await page.goto("/r/general");
  await expect(sidebarRoom(page, "general")).toHaveAttribute("data-unread", "0");
  const before = await settledTitleCount(page, "general");
  // Nothing is asked on page load; the menu turns it on.
  await page.getByTestId("settings-menu").click();
  const toggle = page.getByTestId("notify-toggle");
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  await page.keyboard.press("Escape");

  await page.evaluate(() => {
    (window as unknown as { __hidden: boolean }).__hidden = true;
    document.dispatchEvent(new Event("visibilitychange"));
  });
  const writer = await newUserPage(browser);
  await joinAsGuest(writer.page, "Pinger");
  await postMessage(writer.page, "general", "no mention here");
  await postMessage(writer.page, "general", "@notified are you there?");
  await expect.poll(() => page.evaluate(() => (window as unknown as { __notes: unknown[] }).__notes)).toEqual([
    { title: "Pinger mentioned you in #general", body: "@notified are you there?" },
  ]);
  // Hidden, the tab title counts the room being shown as well.
  await expect.poll(() => titleCount(page, "general")).toBe(before + 2);

  // A muted room never notifies.
  await page.evaluate(() => {
    (window as unknown as { __hidden: boolean }).__hidden = false;
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await page.getByTestId("settings-menu").click();
  await page.getByTestId("mute-toggle").click();
  await expect(page.getByTestId("mute-toggle")).toHaveAttribute("aria-checked", "true");
  await page.keyboard.press("Escape");
  await page.evaluate(() => {
    (window as unknown as { __hidden: boolean }).__hidden = true;
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await postMessage(writer.page, "general", "@notified again?");
  await expect(sidebarRoom(page, "general")).toHaveAttribute("aria-label", /muted/);
  await expect(page.getByTestId("message").filter({ hasText: "again?" })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __notes: unknown[] }).__notes.length)).toBe(1);
  await context.close();
  await writer.context.close();
});

test("the quick switcher works by keyboard alone", async ({ browser }) => {
  const { context, page } = await newUserPage(browser);
  await registerAccount(page, "switcher");
  const slug = await createRoom(page, "Keyboard Corner");
  await page.goto("/r/general");
  await expect(sidebarRoom(page, slug)).toBeVisible();

  await page.keyboard.press("Control+k");
  const input = page.getByRole("combobox", { name: "Room name" });
  await expect(input).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(input).toHaveCount(0);

  await page.keyboard.press("Control+k");
  await page.keyboard.type("kbc");
  await expect(page.getByRole("listbox", { name: "Matching rooms" }).getByRole("option", { selected: true })).toContainText("Keyboard Corner");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/r/${slug}$`));
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Keyboard Corner");

  // Arrows move the choice; Enter goes there.
  await page.keyboard.press("Control+k");
  await page.keyboard.type("gen");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/r\/general$/);
  await context.close();
});

test("a guest creates an account from the header and keeps their messages; signing out as a guest warns first", async ({ browser }) => {
  const { context, page } = await newUserPage(browser);
  await joinAsGuest(page, "Drifter");
  await page.goto("/r/general");
  const box = page.getByLabel("Message #general");
  await box.fill("words from a guest");
  await box.press("Enter");
  await expect(page.getByTestId("message").filter({ hasText: "words from a guest" })).toHaveAttribute("data-status", "sent");

  await page.getByRole("button", { name: "Sign out" }).click();
  const warn = page.getByRole("dialog", { name: "Sign out of a guest account?" });
  await expect(warn).toContainText("cannot be signed back into");
  await warn.getByRole("button", { name: "Create an account first" }).click();

  const dialog = page.getByRole("dialog", { name: "Keep this identity" });
  await dialog.getByLabel("Username").fill("drifter");
  await dialog.getByLabel("Password").fill("a good long password");
  await dialog.getByTestId("upgrade-submit").click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId("create-account")).toHaveCount(0);
  await expect(page.getByTestId("me")).toHaveText("Drifter");

  // Elsewhere, with the new password: the same person, with the same messages.
  const again = await newUserPage(browser);
  await again.page.goto("/login");
  await again.page.getByRole("tab", { name: "Sign in" }).click();
  await again.page.getByLabel("Username").fill("drifter");
  await again.page.getByLabel("Password").fill("a good long password");
  await again.page.getByRole("button", { name: "Sign in" }).click();
  await expect(again.page.getByRole("heading", { name: "Rooms" })).toBeVisible();
  await again.page.goto("/r/general");
  const mine = again.page.getByTestId("message").filter({ hasText: "words from a guest" });
  await expect(mine).toBeVisible();
  await expect(mine.getByTestId("author")).toHaveText("Drifter");
  await context.close();
  await again.context.close();
});

test("a draft survives a reload, a room switch and a language switch", async ({ browser }) => {
  const { context, page } = await newUserPage(browser);
  await registerAccount(page, "drafter");
  const slug = await createRoom(page, "Drafts");
  await page.goto("/r/general");
  await page.getByLabel("Message #general").fill("half a thought");
  await page.reload();
  await expect(page.getByLabel("Message #general")).toHaveValue("half a thought");
  await sidebarRoom(page, slug).click();
  await expect(page.getByLabel("Message #Drafts")).toHaveValue("");
  await sidebarRoom(page, "general").click();
  await expect(page.getByLabel("Message #general")).toHaveValue("half a thought");
  // And a language switch, then a reload in the other language.
  await page.getByLabel("Language").selectOption("zh-CN");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.locator("#composer")).toHaveValue("half a thought");
  await page.reload();
  await expect(page.locator("#composer")).toHaveValue("half a thought");
  // Sent, it is gone for good.
  await expect(page.locator("#composer")).toBeEnabled();
  await page.locator("#composer").press("Enter");
  await expect(page.getByTestId("message").filter({ hasText: "half a thought" })).toBeVisible();
  await page.reload();
  await expect(page.locator("#composer")).toHaveValue("");
  await context.close();
});

