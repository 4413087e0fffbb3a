/**
 * The conversation around messages, with two people in real Chromium:
 * mentions (autocomplete, highlight), replies (the quote jumps to its
 * original, loading it when it is not on screen) and reactions (live on the
 * other page). Ends with the screenshots of a formatted conversation.
 */
import { expect, test, type Page } from "@playwright/test";
import { createRoom, joinAsGuest, messages, newUserPage, openRoom, screenshotViews, shot } from "./helpers";



/** Posts over the page's HTTP API; returns the stored message. */
async function post(page: Page, slug: string, body: string, replyTo?: string) {
  const res = await page.request.post(`/api/rooms/${slug}/messages`, { data: { clientId: crypto.randomUUID(), body, ...(replyTo ? { replyTo } : {}) } });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { message: { id: string; seq: number } }).message;
}

/** A message by its own text (not the quote of it a reply shows). */
const byBody = (page: Page, text: string | RegExp) => page.getByTestId("message").filter({ has: page.getByTestId("body").filter({ hasText: text }) });

async function react(page: Page, slug: string, id: string, emoji: string) {
  const res = await page.request.post(`/api/rooms/${slug}/messages/${id}/reactions`, { data: { emoji } });
  expect(res.status()).toBe(200);
}

test("the mention autocomplete inserts a name, and the mentioned user sees it highlighted", async ({ browser }) => {
  const ada = await newUserPage(browser);
  await joinAsGuest(ada.page, "Ada Mention");
  const slug = await createRoom(ada.page, "Mentions");
  const bo = await newUserPage(browser);
  await joinAsGuest(bo.page, "Bo Mention");
  await openRoom(bo.page, slug);
  await openRoom(ada.page, slug);
  await expect(ada.page.getByTestId("presence").getByText("Bo Mention")).toBeVisible();

  const box = ada.page.getByRole("combobox", { name: /^Message #/ });
  await box.pressSequentially("Thanks @");
  const list = ada.page.getByRole("listbox", { name: "People to mention" });
  await expect(list).toBeVisible();
  await expect(box).toHaveAttribute("aria-expanded", "true");
  // Everyone but me, and @here; the keyboard moves the active option.
  await expect(list.getByRole("option")).toHaveText([/Bo Mention/, /@here/]);
  await expect(list.getByRole("option").first()).toHaveAttribute("aria-selected", "true");
  await box.press("ArrowDown");
  await expect(list.getByRole("option", { name: /@here/ })).toHaveAttribute("aria-selected", "true");
  await box.press("Escape");
  await expect(list).toBeHidden();

  // Narrowing by typing, then Tab inserts.
  await box.pressSequentially("Bo");
  await expect(list.getByRole("option")).toHaveText([/Bo Mention/]);
  await box.press("Tab");
  await expect(box).toHaveValue("Thanks @Bo_Mention ");
  await box.pressSequentially("for the **review**");
  await box.press("Enter");

  const seen = messages(bo.page, "for the review");
  await expect(seen).toHaveAttribute("data-mentioned", "true");
  await expect(seen.locator('[data-mention="self"]')).toHaveText("@Bo_Mention");
  await expect(seen.locator("strong")).toHaveText("review");
  // Ada is not mentioned by her own message.
  await expect(messages(ada.page, "for the review")).not.toHaveAttribute("data-mentioned", "true");
  await ada.context.close();
  await bo.context.close();
});

test("a reply quotes its original, and the quote jumps to it, loading it when it is not on screen", async ({ browser }) => {
  test.setTimeout(120_000); // 120 messages to post first
  const ada = await newUserPage(browser);
  await joinAsGuest(ada.page, "Ada Reply");
  const slug = await createRoom(ada.page, "Replies");
  const bo = await newUserPage(browser);
  await joinAsGuest(bo.page, "Bo Reply");

  const original = await post(ada.page, slug, "Which **migration** runs first?");
  // 120 messages after it (from several people: each may send 20 per 10 s), so it is far above the first page.
  const fillers = await Promise.all(Array.from({ length: 8 }, () => browser.newContext()));
  for (const [i, c] of fillers.entries()) expect((await c.request.post("/api/auth/sign-in/anonymous", { data: { name: `Filler ${i}` } })).ok()).toBe(true);
  for (let i = 0; i < 120; i++) {
    const res = await fillers[Math.floor(i / 15)]!.request.post(`/api/rooms/${slug}/messages`, { data: { clientId: crypto.randomUUID(), body: `filler ${i}` } });
    expect(res.status()).toBe(201);
  }
  for (const c of fillers) await c.close();
  await post(bo.page, slug, "The index one, then the backfill.", original.id);

  // Bo replies through the UI to a message on screen.
  await openRoom(bo.page, slug);
  const last = messages(bo.page, "filler 119");
  await last.hover();
  await last.getByRole("button", { name: /^Reply to/ }).click();
  await expect(bo.page.getByTestId("replying-to")).toContainText("Filler 7");
  await bo.page.getByRole("combobox", { name: /^Message #/ }).fill("Noted, thanks");
  await bo.page.getByRole("combobox", { name: /^Message #/ }).press("Enter");
  await expect(messages(bo.page, "Noted, thanks").getByTestId("reply-quote")).toContainText("filler 119");
  await expect(bo.page.getByTestId("replying-to")).toHaveCount(0);

  // Ada opens the room: the original is 120 messages up, not loaded.
  await openRoom(ada.page, slug);
  await expect(byBody(ada.page, "Which migration runs first?")).toHaveCount(0);
  const quote = messages(ada.page, "The index one").getByTestId("reply-quote");
  await expect(quote).toContainText("Which migration runs first?");
  await quote.click();
  const target = byBody(ada.page, "Which migration runs first?");
  await expect(target).toHaveAttribute("data-highlighted", "true");
  await expect(target).toBeInViewport();
  // The gap between it and what was shown was filled: no hole in the log.
  await expect(byBody(ada.page, /^filler 35$/)).toHaveCount(1);
  await ada.context.close();
  await bo.context.close();
});

test("a reaction appears live on the other page, and toggles", async ({ browser }) => {
  const ada = await newUserPage(browser);
  await joinAsGuest(ada.page, "Ada React");
  const slug = await createRoom(ada.page, "Reactions");
  const bo = await newUserPage(browser);
  await joinAsGuest(bo.page, "Bo React");
  await post(ada.page, slug, "Shipped 🚢");
  await openRoom(ada.page, slug);
  await openRoom(bo.page, slug);

  const mine = messages(ada.page, "Shipped");
  await mine.hover();
  await mine.getByRole("button", { name: "Add a reaction" }).click();
  const picker = ada.page.getByTestId("emoji-picker");
  await expect(picker.getByRole("button").first()).toBeFocused();
  // Arrow keys move within the picker; Enter picks.
  await ada.page.keyboard.press("ArrowRight");
  await ada.page.keyboard.press("ArrowRight");
  await ada.page.keyboard.press("ArrowRight");
  await expect(picker.getByRole("button", { name: "React with 🎉" })).toBeFocused();
  await ada.page.keyboard.press("Enter");
  await expect(picker).toHaveCount(0);
  const adaChip = mine.getByTestId("reaction").filter({ hasText: "🎉" });
  await expect(adaChip).toHaveAttribute("aria-pressed", "true");

  const boChip = messages(bo.page, "Shipped").getByTestId("reaction").filter({ hasText: "🎉" });
  await expect(boChip).toHaveText("🎉1");
  await expect(boChip).toHaveAttribute("aria-pressed", "false");
  await boChip.click();
  await expect(boChip).toHaveAttribute("aria-pressed", "true");
  await expect(adaChip).toHaveText("🎉2");
  await adaChip.click();
  await expect(boChip).toHaveText("🎉1");
  await expect(adaChip).toHaveAttribute("aria-pressed", "false");
  await ada.context.close();
  await bo.context.close();
});

test("a conversation with mentions, a reply and reactions, light and dark, at 1280 and 375 px", async ({ browser }) => {
  test.setTimeout(180_000); // four pages, each opened fresh
  const ada = await newUserPage(browser);
  await joinAsGuest(ada.page, "Ada Lovelace");
  const slug = await createRoom(ada.page, "Launch Prep");
  const bo = await newUserPage(browser);
  await joinAsGuest(bo.page, "Bo Chen");
  const cy = await newUserPage(browser);
  await joinAsGuest(cy.page, "Cy Park");

  const plan = await post(
    ada.page,
    slug,
    "Launch checklist for **Thursday**, @Bo_Chen can you own the rollout?\n1. Freeze `main` at noon\n2. Run the migrations (see [the runbook](https://example.com/runbook))\n3. Announce in #general",
  );
  await react(bo.page, slug, plan.id, "👍");
  await react(cy.page, slug, plan.id, "👍");
  await react(cy.page, slug, plan.id, "🚀");
  const reply = await post(bo.page, slug, "On it. I'll run the dry run on _staging_ first:\n```sh\nnpm run db:migrate -- --dry-run\n```", plan.id);
  await react(ada.page, slug, reply.id, "🙏");
  const note = await post(cy.page, slug, "> Freeze `main` at noon\n\nCan we make it 13:00? The design fixes land at 12:30. @here");
  await react(ada.page, slug, note.id, "✅");
  await react(bo.page, slug, note.id, "✅");
  await post(ada.page, slug, "Sure, 13:00 it is. Thanks @Cy_Park!", note.id);

  for await (const { name, colorScheme, page, close } of screenshotViews(browser, await bo.context.storageState(), { desktop: 860, phone: 812 })) {
    await page.goto(`/r/${slug}`);
    // Four fresh pages in a row on a busy machine: give the connection its time.
    await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected", { timeout: 30_000 });
    await expect(messages(page, "Sure, 13:00")).toBeVisible();
    for (const dismiss of await page.getByRole("button", { name: "Dismiss announcement" }).all()) await dismiss.click();
    await expect(byBody(page, "Launch checklist")).toHaveAttribute("data-mentioned", "true");
    await expect(byBody(page, "Launch checklist").getByTestId("reaction").first()).toHaveAttribute("aria-pressed", "true");
    const [pageWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(pageWidth).toBeLessThanOrEqual(innerWidth!);
    if (name === "1280") {
      // The autocomplete, open (on a phone it would cover the conversation the picture is about).
      await page.getByRole("combobox", { name: /^Message #/ }).pressSequentially("Great, see you @");
      await expect(page.getByRole("listbox", { name: "People to mention" })).toBeVisible();
    }
    await shot(page, `conversation-${colorScheme}-${name}`);
    await close();
  }
  for (const c of [ada, bo, cy]) await c.context.close();
});
