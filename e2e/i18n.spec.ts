/**
 * Every message in the reader's language: a server error shown in the
 * Chinese UI is rendered from the catalog, with the time in Chinese, never
 * the server's English or an ISO timestamp. Rooms named in Chinese have
 * readable addresses.
 */
import { expect, test } from "@playwright/test";
import { grantAdmin, joinAsGuest, messages, newUserPage, registerAccount } from "./helpers";

const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}`;

test("the zh-CN UI shows a mute refusal in Chinese with a localized time; /admin shows the mute and the room's posting state", async ({ browser, baseURL }) => {
  const admin = await newUserPage(browser);
  const adminName = unique("i18n_admin");
  await registerAccount(admin.page, adminName);
  grantAdmin(adminName);

  // Signed up in English (the helper clicks English labels), then switched to Chinese.
  const member = await newUserPage(browser);
  const memberName = unique("i18n_member");
  await registerAccount(member.page, memberName);
  await member.context.addCookies([{ name: "locale", value: "zh-CN", url: baseURL! }]);

  const muted = await admin.page.request.post("/api/admin/mutes", { data: { user: memberName, room: "general", minutes: 30 } });
  expect(muted.status()).toBe(201);
  const { until } = (await muted.json()) as { until: string };

  await member.page.goto("/r/general");
  await expect(member.page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await expect(member.page.getByTestId("connection")).toHaveText("已连接");
  // The composer knows from the join that this member is muted: it is disabled and says why, in
  // Chinese, with Intl's zh-CN medium date and short time (e.g. "2026年12月1日 15:23"), never the raw ISO time.
  const box = member.page.locator("#composer");
  await expect(box).toBeDisabled();
  const year = new Date(until).getUTCFullYear();
  const hint = member.page.getByTestId("composer-hint");
  await expect(hint).toContainText(new RegExp(`你在此房间被禁言至 ${year}年\\d{1,2}月\\d{1,2}日 \\d{1,2}:\\d{2}。`));
  await expect(hint).not.toContainText("muted");
  await expect(hint).not.toContainText(until.slice(0, 10));

  // The admin page shows the mute as the current state, with the one action that applies.
  await admin.page.goto("/admin");
  await admin.page.getByLabel("Find a user by name or username").fill(memberName);
  await admin.page.getByRole("button", { name: "Find" }).click();
  const row = admin.page.getByTestId("user-list").getByRole("listitem").filter({ hasText: memberName });
  await expect(row.getByTestId("muted-until")).toContainText("Muted in #general until");
  await expect(row.getByRole("button", { name: /^Mute / })).toHaveCount(0);
  await row.getByRole("button", { name: `Unmute ${memberName} in #general` }).click();
  await expect(row.getByRole("button", { name: `Mute ${memberName} in #general for 10 minutes` })).toBeVisible();
  await expect(row.getByTestId("muted-until")).toHaveCount(0);

  // The room's posting state likewise: the current one is shown, and only the action that changes it.
  const state = admin.page.getByTestId("room-posting-state");
  await expect(state).toHaveText("Open: members can post.");
  await expect(admin.page.getByRole("button", { name: "Allow posting" })).toHaveCount(0);
  await admin.page.getByRole("button", { name: "Make read-only" }).click();
  await expect(state).toHaveText("Read-only: only admins can post.");
  await expect(admin.page.getByRole("button", { name: "Make read-only" })).toHaveCount(0);
  await admin.page.getByRole("button", { name: "Allow posting" }).click();
  await expect(state).toHaveText("Open: members can post.");

  await admin.context.close();
  await member.context.close();
});

test("a room named in Chinese lives at its own name, percent-encoded", async ({ browser }) => {
  const { page, context } = await newUserPage(browser);
  await registerAccount(page, unique("i18n_rooms"));
  await page.getByRole("button", { name: "New room" }).click();
  await page.getByLabel("Name", { exact: true }).fill("产品讨论");
  await page.getByRole("button", { name: "Create room" }).click();
  await expect(page).toHaveURL(/\/r\/%E4%BA%A7%E5%93%81%E8%AE%A8%E8%AE%BA$/);
  await expect(page.getByRole("heading", { name: /产品讨论/ })).toBeVisible();
  await page.locator("#composer").fill("第一条消息");
  await page.locator("#composer").press("Enter");
  await expect(messages(page, "第一条消息")).toHaveAttribute("data-status", "sent");

  // The lobby links to it by the same address, and a name over the limit is refused with the limit shown.
  await page.goto("/");
  await expect(page.getByRole("link", { name: /产品讨论/ })).toHaveAttribute("href", "/r/%E4%BA%A7%E5%93%81%E8%AE%A8%E8%AE%BA");
  await page.getByRole("button", { name: "New room" }).click();
  await page.getByLabel("Name", { exact: true }).fill("长".repeat(49));
  await expect(page.getByText("Too long: 49 characters, at most 48 allowed.")).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("长".repeat(49));
  await expect(page.getByRole("button", { name: "Create room" })).toBeDisabled();
  await context.close();
});

test("a search error speaks the reader's language, not the server's English", async ({ browser, baseURL }) => {
  const reader = await newUserPage(browser);
  await joinAsGuest(reader.page, "Searcher 搜");
  await reader.context.addCookies([{ name: "locale", value: "zh-CN", url: baseURL! }]);
  const query = `q=${encodeURIComponent("设计")}&room=no-such-room`;
  const res = await reader.page.request.get(`/api/search?${query}`);
  expect(res.status()).toBe(404);
  const english = ((await res.json()) as { error: { message: string } }).error.message;
  await reader.page.goto(`/search?${query}`);
  const alert = reader.page.getByRole("alert").filter({ hasText: /\S/ });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText(/[\u4e00-\u9fff]/);
  await expect(alert).not.toContainText(english);
  await reader.context.close();
});
