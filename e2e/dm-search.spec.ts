/**
 * Direct messages and search, two users in Chromium: a DM opens from the
 * presence list and the other person gets it live; a Chinese search finds a
 * message and opens it in its context. Then the screenshots of a DM and of
 * search results, light and dark, at 1280 and 375 px.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { grantAdmin, newUserPage, openRoom, postMessage, registerAccount, screenshotViews, shot } from "./helpers";

// Each e2e run starts on an empty database (playwright.config.ts), and no other spec uses these names.
const MEI = "mei_chen";
const LEO = "leo_park";



test("a DM opens from the presence list, and a Chinese search opens a message in context", async ({ browser }) => {
  // Two users, a search, four screenshot views of each page and a report: more than the default minute on two shared cores.
  test.setTimeout(240_000);
  const mei = await newUserPage(browser);
  const leo = await newUserPage(browser, { colorScheme: "dark" });
  await registerAccount(mei.page, MEI);
  await registerAccount(leo.page, LEO);

  // Both in #general: each sees the other online.
  await openRoom(mei.page, "general");
  await openRoom(leo.page, "general");
  await expect(leo.page.getByTestId("presence").filter({ visible: true })).toContainText(MEI);

  // Leo opens a DM from Mei's name in the presence list.
  await leo.page
    .getByTestId("presence")
    .filter({ visible: true })
    .getByRole("button", { name: `Send a direct message to ${MEI}` })
    .click();
  await expect(leo.page).toHaveURL(/\/r\/dm-[0-9a-f]+$/);
  await expect(leo.page.getByRole("heading", { level: 1 })).toContainText(MEI);
  await expect(leo.page).toHaveTitle(new RegExp(`@${MEI}`));
  await expect(leo.page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  const dmSlug = new URL(leo.page.url()).pathname.split("/").pop()!;
  // Its empty state speaks of the two of them, not of a room.
  await expect(leo.page.getByText(`Say hello — only ${MEI} and you can read this conversation.`)).toBeVisible();
  // A DM has no invitations and no public feed.
  await expect(leo.page.getByRole("button", { name: "Invite" })).toHaveCount(0);
  await expect(leo.page.getByRole("button", { name: "Share" })).toHaveCount(0);

  // Mei finds it in her lobby, titled with Leo's name, and gets his message live.
  await mei.page.goto("/");
  const dmLink = mei.page.getByTestId("dms").getByRole("link", { name: new RegExp(LEO) });
  await expect(dmLink).toBeVisible();
  await dmLink.click();
  await expect(mei.page.getByRole("heading", { level: 1 })).toContainText(LEO);
  await expect(mei.page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await expect(mei.page).toHaveTitle(new RegExp(`@${LEO}`));
  // The composer addresses the person, not a #room.
  const box = leo.page.getByRole("combobox", { name: `Message @${MEI}` });
  await box.fill("梅，新的设计稿你看了吗？");
  await box.press("Enter");
  await expect(mei.page.getByTestId("message").filter({ hasText: "新的设计稿你看了吗" })).toBeVisible();

  // A message in #general, buried under newer ones, then found by two Chinese characters.
  await postMessage(mei.page, "general", "周五之前把界面设计定下来，好吗？");
  // (Two senders keep each under the send rate limit, 20 per 10 s.)
  for (let i = 0; i < 24; i++) await postMessage(i % 2 ? leo.page : mei.page, "general", `filler ${i}`);
  await mei.page.goto("/");
  const search = mei.page.getByTestId("global-search");
  await search.fill("设计");
  await search.press("Enter");
  await expect(mei.page).toHaveURL(/\/search\?q=/);
  const hits = mei.page.getByTestId("search-hit");
  await expect(hits).toHaveCount(2);
  // Newest first: the #general message, then the DM (named after Leo).
  await expect(hits.nth(0)).toContainText("周五之前把界面设计定下来");
  await expect(hits.nth(0).getByTestId("search-hit-room")).toHaveText("# general");
  await expect(hits.nth(1).getByTestId("search-hit-room")).toHaveText(`@ ${LEO}`);
  await expect(hits.nth(0).locator("mark")).toHaveText("设计");

  // Opening the hit shows the message in its context, not the live end of the room.
  await hits.nth(0).click();
  await expect(mei.page).toHaveURL(/\/r\/general\?around=\d+/);
  const target = mei.page.getByTestId("context-target");
  await expect(target).toContainText("周五之前把界面设计定下来");
  await expect(target).toBeInViewport();
  await expect(mei.page.getByTestId("context-view")).not.toContainText("filler 23");
  await mei.page.getByRole("button", { name: "Back to the latest" }).click();
  await expect(mei.page).toHaveURL(/\/r\/general$/);
  await expect(mei.page.getByTestId("message").filter({ hasText: "filler 23" })).toBeVisible();

  // The room's own search box searches that room only.
  await mei.page.locator('button[aria-controls="room-search"]').click();
  const roomSearch = mei.page.getByTestId("room-search");
  await roomSearch.fill("设计");
  await roomSearch.press("Enter");
  await expect(mei.page).toHaveURL(/room=general/);
  await expect(mei.page.getByTestId("search-hit")).toHaveCount(1);

  // ---- Screenshots: a DM, and search results.
  for (const body of [
    "Here are the two directions for the sign-in screen. I like the second: the **guest** button is clearer.",
    "同意，第二版更清楚。颜色再调一下？",
    "Sure — I'll push `signin-v2` tonight and ping you.",
  ]) {
    await postMessage(body.startsWith("同意") ? mei.page : leo.page, dmSlug, body);
  }
  await postMessage(mei.page, "general", "设计评审改到周四下午三点，会议室 B。");
  await postMessage(leo.page, "general", "Design review notes: 设计 tokens are in `theme.ts` now 🎨");
  for await (const v of screenshotViews(browser, await mei.context.storageState(), { desktop: 860, phone: 800 })) {
    await openRoom(v.page, dmSlug);
    await expect(v.page.getByTestId("message").filter({ hasText: "signin-v2" })).toBeVisible();
    for (const dismiss of await v.page.getByRole("button", { name: "Dismiss announcement" }).all()) await dismiss.click();
    const [scrollWidth, innerWidth] = await v.page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth!);
    await shot(v.page, `dm-${v.colorScheme}-${v.name}`);

    // The lobby lists the DM apart from the rooms (kept in test-results only).
    await v.page.goto("/");
    await expect(v.page.getByTestId("dms").getByRole("link", { name: new RegExp(LEO) })).toBeVisible();
    const lobby = path.resolve("test-results/screenshots", `lobby-dms-${v.colorScheme}-${v.name}.png`);
    mkdirSync(path.dirname(lobby), { recursive: true });
    await v.page.screenshot({ path: lobby });

    await v.page.goto(`/search?q=${encodeURIComponent("设计")}`);
    await expect(v.page.getByTestId("search-hit").first()).toBeVisible();
    const [w, iw] = await v.page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(w).toBeLessThanOrEqual(iw!);
    await shot(v.page, `search-${v.colorScheme}-${v.name}`);
    await v.close();
  }

  // Leo reports one of Mei's DM messages: the report, with a copy of the text, reaches /admin's audit log.
  await openRoom(leo.page, dmSlug);
  const reported = leo.page.getByTestId("message").filter({ hasText: "第二版更清楚" });
  await reported.hover();
  await reported.getByRole("button", { name: "Report this message to the moderators" }).click();
  await reported.getByLabel("Reason for the report").fill("just testing reports");
  await reported.getByRole("button", { name: "Send report" }).click();
  await expect(reported.getByRole("status")).toHaveText(/Reported/);
  grantAdmin(MEI);
  await mei.page.goto("/admin");
  await mei.page.getByLabel("Action").selectOption("message.report");
  const audit = mei.page.getByTestId("audit-log");
  const report = audit.locator("tbody tr").filter({ has: mei.page.locator('[data-action="message.report"]') });
  await expect(report).toHaveCount(1);
  await expect(report).toContainText("Message reported");
  // A DM is named as one, not by its internal slug.
  await expect(report).toContainText("Direct message");
  await expect(report).not.toContainText(dmSlug);
  await expect(audit).toContainText("同意，第二版更清楚。颜色再调一下？");
  await expect(audit).toContainText("just testing reports");
  await Promise.all([mei.context.close(), leo.context.close()]);
});
