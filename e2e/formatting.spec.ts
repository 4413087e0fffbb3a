/**
 * Formatting: one set of markdown rules in the chat, on banners and /admin,
 * and in the embed; and hostile bodies that stay inert in a real browser.
 */
import { expect, test, type BrowserContext, type Frame, type Locator, type Page } from "@playwright/test";
import { createRoom, grantAdmin, joinAsGuest, messages, newUserPage, openRoom, postMessage, registerAccount, screenshotViews, shot } from "./helpers";
import { XSS_CORPUS } from "./xss-corpus";

const REL = "noopener noreferrer nofollow ugc";



/** The checks both renderers must pass for the same formatted body. */
async function expectFormatted(scope: Locator) {
  await expect(scope.locator("strong").filter({ hasText: "Friday" })).toHaveCount(1);
  await expect(scope.locator("em").filter({ hasText: "after" })).toHaveCount(1);
  await expect(scope.locator("del").filter({ hasText: "Thursday" })).toHaveCount(1);
  await expect(scope.locator(":not(pre) > code").filter({ hasText: "release/2.4" })).toHaveCount(1);
  await expect(scope.locator("ol > li")).toHaveCount(2);
  const link = scope.locator("a").filter({ hasText: "the runbook" });
  await expect(link).toHaveAttribute("href", "https://example.com/runbook");
  await expect(link).toHaveAttribute("rel", REL);
  await expect(link).toHaveAttribute("target", "_blank");
  const bare = scope.locator("a").filter({ hasText: "https://example.com/status" });
  await expect(bare).toHaveAttribute("rel", REL);
  await expect(bare).toHaveAttribute("target", "_blank");
  await expect(scope.locator("blockquote").filter({ hasText: "merge first" })).toHaveCount(1);
  await expect(scope.locator('pre[data-lang="sh"] > code')).toContainText("npm run db:migrate");
  // Raw HTML is text, and no image is ever an <img>.
  await expect(scope.getByText("<b>not bold</b>")).toHaveCount(1);
  await expect(scope.locator("b, img")).toHaveCount(0);
  await expect(scope.locator("a").filter({ hasText: "diagram" })).toHaveAttribute("href", "https://example.com/diagram.png");
  await expect(scope.getByText("[trap](javascript:alert(1))")).toHaveCount(1);
}

const FORMATTED = [
  "Deploy on **Friday**, _after_ the freeze (not ~~Thursday~~):",
  "1. Merge `release/2.4`",
  "2. Run the migrations, see [the runbook](https://example.com/runbook)",
  "",
  "> merge first, then tag",
  "",
  "```sh",
  "npm run db:migrate",
  "```",
  "Status: https://example.com/status · <b>not bold</b> · ![diagram](https://example.com/diagram.png) · [trap](javascript:alert(1))",
].join("\n");

const LONG = ["Build log, for the record:", "```", ...Array.from({ length: 40 }, (_, i) => `step ${i + 1}: ok`), "```", "All green."].join("\n");

test("bold, code and links render as elements in the chat, on banners, in /admin and in the embed", async ({ browser }) => {
  const ada = await newUserPage(browser);
  await joinAsGuest(ada.page, "Ada Format");
  const slug = await createRoom(ada.page, "Formatting");
  const bo = await newUserPage(browser);
  await joinAsGuest(bo.page, "Bo Format");
  await openRoom(bo.page, slug);
  const embed = await newUserPage(browser);
  await embed.page.goto(`/embed/${slug}`);
  await expect(embed.page.locator("#status")).toHaveAttribute("data-state", "live");

  // Ada types it in the composer; Bo and the embed see the same elements.
  await openRoom(ada.page, slug);
  const box = ada.page.getByLabel(/^Message #/);
  await box.fill(FORMATTED);
  await box.press("Enter");
  const inChat = messages(bo.page, "Deploy on").getByTestId("body");
  await expect(inChat).toBeVisible();
  await expectFormatted(inChat);
  const inEmbed = embed.page.locator("#log > li").filter({ hasText: "Deploy on" });
  await expectFormatted(inEmbed);

  // A long body collapses behind "Show more", by keyboard too, in both.
  await postMessage(ada.page, slug, LONG);
  const long = messages(bo.page, "Build log");
  const more = long.getByRole("button", { name: "Show more" });
  await expect(more).toHaveAttribute("aria-expanded", "false");
  const collapsed = (await long.getByTestId("body").boundingBox())!.height;
  await more.focus();
  await bo.page.keyboard.press("Enter");
  const less = long.getByRole("button", { name: "Show less" });
  await expect(less).toHaveAttribute("aria-expanded", "true");
  expect((await long.getByTestId("body").boundingBox())!.height).toBeGreaterThan(collapsed * 2);
  await less.press("Space");
  await expect(long.getByRole("button", { name: "Show more" })).toBeVisible();
  const embedLong = embed.page.locator("#log > li").filter({ hasText: "Build log" });
  await expect(embedLong.locator(".md.collapsed")).toHaveCount(1);
  await embedLong.getByRole("button", { name: "Show more" }).click();
  await expect(embedLong.locator(".md.collapsed")).toHaveCount(0);
  await expect(embedLong.getByRole("button", { name: "Show less" })).toHaveAttribute("aria-expanded", "true");

  // An edit re-renders by the same rules, in the room and in the embed.
  await postMessage(ada.page, slug, "typo here");
  const mine = messages(ada.page, "typo here");
  await mine.hover();
  await mine.getByRole("button", { name: "Edit message" }).click();
  await ada.page.getByLabel("Edit your message").fill("fixed: **now bold** and `code`");
  await ada.page.getByLabel("Edit your message").press("Enter");
  const edited = messages(bo.page, "fixed:");
  await expect(edited.locator("strong")).toHaveText("now bold");
  await expect(edited.locator("code")).toHaveText("code");
  await expect(edited.locator("p")).toContainText("(edited)");
  await expect(embed.page.locator("#log > li").filter({ hasText: "fixed:" }).locator("strong")).toHaveText("now bold");

  await Promise.all([ada, bo, embed].map((u) => u.context.close()));
});

test("a formatted broadcast renders the same in the preview, the list, the banner and the embed", async ({ browser }) => {
  const adminName = `fmt_admin_${Date.now().toString(36)}`;
  const admin = await newUserPage(browser, { viewport: { width: 1280, height: 900 } });
  await registerAccount(admin.page, adminName);
  grantAdmin(adminName);
  const slug = await createRoom(admin.page, `Announcements ${Date.now().toString(36)}`);
  const member = await newUserPage(browser);
  await joinAsGuest(member.page, "Banner Reader");
  await openRoom(member.page, slug);
  const embed = await newUserPage(browser);
  await embed.page.goto(`/embed/${slug}`);
  await expect(embed.page.locator("#status")).toHaveAttribute("data-state", "live");

  // Another spec's broadcast to every room may still show: look for this one by its words.
  const words = `Freeze ${Date.now().toString(36)}`;
  const text = `**${words}** tonight, details at https://example.com/status <script>window.__xss=1</script>`;
  await admin.page.goto("/admin");
  const form = admin.page.getByTestId("broadcast-form");
  await form.getByLabel("Announcement").fill(text);
  await form.getByLabel("Target").selectOption(slug);
  const preview = admin.page.getByTestId("broadcast-preview");
  await expect(preview.locator("strong")).toHaveText(words);
  await expect(preview.locator("a")).toHaveAttribute("rel", REL);
  await form.getByRole("button", { name: "Preview and send…" }).click();
  await form.getByRole("button", { name: "Send to everyone now" }).click();

  const row = admin.page.getByTestId("broadcast-row").filter({ hasText: words });
  await expect(row.locator("strong")).toHaveText(words);
  const banner = member.page.getByTestId("banner").filter({ hasText: words });
  await expect(banner.locator("strong")).toHaveText(words);
  await expect(banner.locator("a")).toHaveAttribute("href", "https://example.com/status");
  await expect(banner.locator("a")).toHaveAttribute("target", "_blank");
  await expect(banner).toContainText("<script>window.__xss=1</script>");
  const embedBanner = embed.page.locator(".banner").filter({ hasText: words });
  await expect(embedBanner.locator("strong")).toHaveText(words);
  await expect(embedBanner.locator("a")).toHaveAttribute("rel", REL);
  for (const p of [admin.page, member.page, embed.page]) expect(await p.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();

  await row.getByRole("button", { name: "Retract" }).click();
  await admin.page.getByRole("dialog", { name: "Retract this announcement?" }).getByRole("button", { name: "Retract" }).click();
  await expect(banner).toHaveCount(0);
  await Promise.all([admin, member, embed].map((u) => u.context.close()));
});

/** Everything a payload could do that we can observe: run, open a dialog, fetch. */
function watch(context: BrowserContext, baseURL: string) {
  const seen = { dialogs: [] as string[], requests: [] as string[] };
  const origin = new URL(baseURL).origin;
  context.on("request", (req) => {
    if (new URL(req.url()).origin !== origin) seen.requests.push(req.url());
  });
  context.on("page", (page) => page.on("dialog", (d) => (seen.dialogs.push(d.message()), void d.dismiss())));
  return seen;
}

/** The rendered DOM holds no element or attribute that can run or fetch anything. */
async function expectInert(frame: Page | Frame, root: string) {
  const problems = await frame.evaluate((selector) => {
    const found: string[] = [];
    const scope = document.querySelector(selector)!;
    const bad = "script,iframe,frame,object,embed,img,svg,math,video,audio,source,picture,style,link,meta,base,form,input,textarea,details,marquee,noscript";
    for (const el of scope.querySelectorAll(bad)) found.push(`<${el.localName}>`);
    for (const el of scope.querySelectorAll("*")) {
      for (const attr of el.attributes) if (/^on/i.test(attr.name) || /^(src|srcdoc|action|formaction|xlink:href)$/i.test(attr.name)) found.push(`${el.localName}[${attr.name}]`);
    }
    for (const a of scope.querySelectorAll("a")) {
      const url = new URL(a.getAttribute("href") ?? "", "http://x.invalid");
      if (!["http:", "https:", "mailto:"].includes(url.protocol) || a.getAttribute("href") !== url.href) found.push(`href ${a.getAttribute("href")}`);
    }
    return found;
  }, root);
  expect(problems).toEqual([]);
}

test("the XSS corpus executes nothing in the room or the embed", async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const viewer = await newUserPage(browser);
  const seen = watch(viewer.context, baseURL!);
  viewer.page.on("dialog", (d) => (seen.dialogs.push(d.message()), void d.dismiss()));
  await joinAsGuest(viewer.page, "Careful Viewer");
  const slug = await createRoom(viewer.page, `XSS Lab ${Date.now().toString(36)}`);
  await openRoom(viewer.page, slug);
  const embedPage = await viewer.context.newPage();
  await embedPage.goto(`/embed/${slug}`);
  await expect(embedPage.locator("#status")).toHaveAttribute("data-state", "live");

  // Several senders, so the per-user message rate limit is never reached.
  const PER_SENDER = 15;
  for (let i = 0; i * PER_SENDER < XSS_CORPUS.length; i++) {
    const sender = await newUserPage(browser);
    await joinAsGuest(sender.page, `Payload ${i + 1}`);
    for (const payload of XSS_CORPUS.slice(i * PER_SENDER, (i + 1) * PER_SENDER)) await postMessage(sender.page, slug, payload);
    await sender.context.close();
  }

  // Live: every payload arrived in the room and in the embed.
  await expect(viewer.page.getByTestId("message")).toHaveCount(XSS_CORPUS.length);
  await expect(embedPage.locator("#log > li")).toHaveCount(XSS_CORPUS.length);
  // From history too: a fresh load, scrolling back to the beginning.
  await viewer.page.reload();
  await expect(viewer.page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  // Page back until the start of the room shows (the button is absent while a page loads, so poll, not loop).
  const older = viewer.page.getByRole("button", { name: "Load earlier messages" });
  const beginning = viewer.page.getByText("This is the beginning of the room.");
  await expect(async () => {
    if (await older.isVisible()) await older.click();
    await expect(beginning).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(viewer.page.getByTestId("message")).toHaveCount(XSS_CORPUS.length);
  await embedPage.reload();
  await expect(embedPage.locator("#status")).toHaveAttribute("data-state", "live");

  // Give handlers every chance: every element is scrolled to, pointed at and focused.
  for (const [page, root] of [[viewer.page, "[data-testid=message-log]"], [embedPage, "#log"]] as const) {
    await page.evaluate((selector) => {
      for (const el of document.querySelector(selector)!.querySelectorAll<HTMLElement>("*")) {
        el.scrollIntoView();
        for (const type of ["pointerover", "mouseover", "mouseenter", "mousemove"]) el.dispatchEvent(new MouseEvent(type, { bubbles: true }));
        el.focus();
      }
    }, root);
  }
  // onerror, onload and SMIL onbegin fire within a frame or two of insertion; wait well past that.
  await viewer.page.waitForTimeout(1_500);

  for (const page of [viewer.page, embedPage]) expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
  expect(seen.dialogs).toEqual([]);
  expect(seen.requests).toEqual([]);
  await expectInert(viewer.page, "[data-testid=message-log]");
  await expectInert(embedPage, "#log");
  // The text of the payloads is there to read.
  await expect(messages(viewer.page, "<script>window.__xss=1</script>").first()).toBeVisible();
  await viewer.context.close();
});

test("a formatted conversation, light and dark, at 1280 and 375 px", async ({ browser }) => {
  const ada = await newUserPage(browser);
  await joinAsGuest(ada.page, "Grace Hopper");
  const slug = await createRoom(ada.page, "Release Room");
  const bo = await newUserPage(browser);
  await joinAsGuest(bo.page, "Lin Wei");
  await postMessage(ada.page, slug, "Release **2.4** goes out _tonight_. Before that:\n1. Merge `release/2.4` into `main`\n2. Run the migrations (see [the runbook](https://example.com/runbook))\n3. Tag it and tell #ops");
  await postMessage(bo.page, slug, "> Run the migrations\n\nWhich ones? The ~~optional~~ index on `Message(roomId, seq)` is required now. Background: https://example.com/docs/indexes");
  await postMessage(
    ada.page,
    slug,
    "This one, it is quick on a copy of production:\n```sql\nCREATE INDEX IF NOT EXISTS message_room_seq ON \"Message\" (\"roomId\", \"seq\"); -- about 40 ms on 2 million rows, measured on a copy\n```",
  );
  await postMessage(bo.page, slug, LONG.replace("Build log, for the record:", "Dry run on **staging**:"));
  for await (const { name, colorScheme, page, close } of screenshotViews(browser, await bo.context.storageState(), { desktop: 980, phone: 800 })) {
    await openRoom(page, slug);
    await expect(messages(page, "Dry run on staging").getByRole("button", { name: "Show more" })).toBeVisible();
    // Announcements other specs sent to every room are not part of this picture.
    for (const dismiss of await page.getByRole("button", { name: "Dismiss announcement" }).all()) await dismiss.click();
    // Long code scrolls inside its block; the page itself never scrolls sideways.
    const [pageWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(pageWidth).toBeLessThanOrEqual(innerWidth!);
    if (name === "375") {
      const pre = messages(page, "CREATE INDEX").locator("pre");
      const [scroll, client] = await pre.evaluate((el) => [el.scrollWidth, el.clientWidth]);
      expect(scroll).toBeGreaterThan(client);
    }
    await shot(page, `formatting-${colorScheme}-${name}`);
    await close();
  }

  const embed = await browser.newContext({ viewport: { width: 420, height: 720 }, colorScheme: "dark" });
  const page = await embed.newPage();
  await page.goto(`/embed/${slug}`);
  await expect(page.locator("#status")).toHaveAttribute("data-state", "live");
  await expect(page.locator("#log > li")).toHaveCount(4);
  await shot(page, "formatting-embed-dark");
  await page.goto(`/embed/${slug}?theme=light`);
  await expect(page.locator("#log > li")).toHaveCount(4);
  await shot(page, "formatting-embed-light");
  await Promise.all([embed.close(), ada.context.close(), bo.context.close()]);
});
