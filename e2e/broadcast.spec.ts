/**
 * An admin runs the community from /admin: announces (a member and an embed
 * see it), follows delivery, and removes a message the member then loses.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { grantAdmin, joinAsGuest, messages, newUserPage, postMessage, registerAccount, shot } from "./helpers";

test("a warning broadcast reaches a member and an embed; an admin deletes a message", async ({ browser, baseURL }) => {
  const adminName = `chief_${Date.now().toString(36)}`;
  const admin = await newUserPage(browser, { viewport: { width: 1280, height: 900 } });
  await registerAccount(admin.page, adminName);
  grantAdmin(adminName);

  const member = await newUserPage(browser);
  await joinAsGuest(member.page, "Member Mo");
  await member.page.goto("/r/general");
  await expect(member.page.getByTestId("connection")).toHaveAttribute("data-state", "connected");

  // The embed, on another origin's page.
  const site = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<!doctype html><iframe id="feed" src="${baseURL}/embed/general" width="400" height="300" title="Live chat"></iframe>`);
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  const viewer = await newUserPage(browser);
  await viewer.page.goto(`http://localhost:${(site.address() as AddressInfo).port}/`);
  const frame = viewer.page.frameLocator("#feed");
  await expect(frame.locator("#status")).toHaveAttribute("data-state", "live");

  // Compose with a preview, then send.
  await admin.page.goto("/admin");
  const form = admin.page.getByTestId("broadcast-form");
  await form.getByLabel("Announcement").fill("Maintenance tonight at 22:00 UTC");
  await form.getByLabel("Level").selectOption("warning");
  await expect(admin.page.getByTestId("broadcast-preview")).toContainText("Maintenance tonight at 22:00 UTC");
  await form.getByRole("button", { name: "Preview and send…" }).click();
  await shot(admin.page, "admin-broadcast-form-1280");
  await form.getByRole("button", { name: "Send to everyone now" }).click();

  const banner = member.page.getByTestId("banner").filter({ hasText: "Maintenance tonight at 22:00 UTC" });
  await expect(banner).toHaveAttribute("data-level", "warning");
  await expect(frame.locator(".banner.warning")).toHaveText("Maintenance tonight at 22:00 UTC");

  // Delivery accounting: the member's socket acknowledged it.
  const row = admin.page.getByTestId("broadcast-row").filter({ hasText: "Maintenance tonight" });
  await expect(row.getByTestId("acks")).not.toHaveText("0");
  await shot(admin.page, "admin-live-view-1280");

  // Info and warning banners can be dismissed, and stay dismissed.
  await banner.getByRole("button", { name: "Dismiss announcement" }).click();
  await expect(banner).toHaveCount(0);
  await member.page.reload();
  await expect(member.page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await expect(member.page.getByTestId("banner").filter({ hasText: "Maintenance tonight" })).toHaveCount(0);

  // Moderation: the admin deletes the member's message from the room.
  await postMessage(member.page, "general", "something that breaks the rules");
  await expect(messages(member.page, "something that breaks the rules")).toHaveCount(1);
  await admin.page.goto("/r/general");
  const bad = messages(admin.page, "something that breaks the rules");
  await bad.hover();
  await bad.getByRole("button", { name: "Delete message" }).click();
  await admin.page.getByRole("group", { name: "Delete this message for everyone?" }).getByRole("button", { name: "Delete" }).click();
  await expect(messages(member.page, "something that breaks the rules")).toHaveCount(0);

  // The audit log shows both actions.
  await admin.page.goto("/admin");
  const audit = admin.page.getByTestId("audit-log");
  await expect(audit.locator('[data-action="broadcast.send"]').first()).toHaveText("Broadcast sent");
  await expect(audit.locator('[data-action="message.delete"]').first()).toHaveText("Message deleted");

  site.close();
  for (const c of [admin, member, viewer]) await c.context.close();
});

test("on a small screen a long banner starts as one line and expands on request", async ({ browser }) => {
  const adminName = `herald_${Date.now().toString(36)}`;
  const admin = await newUserPage(browser);
  await registerAccount(admin.page, adminName);
  grantAdmin(adminName);
  const text = `Long notice: ${"the quick brown fox jumps over the lazy dog ".repeat(12).trim()}`;
  const sent = await admin.page.request.post("/api/admin/broadcasts", { data: { text, level: "info" } });
  expect(sent.status()).toBe(201);
  const { broadcast } = (await sent.json()) as { broadcast: { id: string } };

  try {
    const phone = await newUserPage(browser, { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    await joinAsGuest(phone.page, `Small Screen ${Date.now().toString(36)}`);
    await phone.page.goto("/r/general");
    // Of several banners a phone shows the first; other specs may have left some active.
    await expect(phone.page.getByTestId("banner").first()).toBeVisible();
    const others = phone.page.getByRole("button", { name: /more announcement/ });
    if (await others.isVisible()) await others.click();
    const banner = phone.page.getByTestId("banner").filter({ hasText: "Long notice" });
    const body = banner.locator("p");
    const toggle = banner.getByRole("button", { name: "Show more" });
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
    const lineHeight = await body.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
    const collapsed = (await body.boundingBox())!.height;
    expect(collapsed).toBeLessThanOrEqual(lineHeight * 1.5);
    await toggle.click();
    const less = banner.getByRole("button", { name: "Show less" });
    await expect(less).toHaveAttribute("aria-expanded", "true");
    await expect.poll(async () => (await body.boundingBox())!.height).toBeGreaterThan(lineHeight * 4);
    await less.click();
    await expect(banner.getByRole("button", { name: "Show more" })).toBeVisible();
    await expect.poll(async () => (await body.boundingBox())!.height).toBeLessThanOrEqual(lineHeight * 1.5);

    // A wide screen shows the whole text, with no button.
    const desk = await newUserPage(browser, { viewport: { width: 1280, height: 800 } });
    await joinAsGuest(desk.page, `Wide Screen ${Date.now().toString(36)}`);
    await desk.page.goto("/r/general");
    const wide = desk.page.getByTestId("banner").filter({ hasText: "Long notice" });
    await expect(wide).toBeVisible();
    await expect(wide.getByRole("button", { name: /Show (more|less)/ })).toHaveCount(0);
    expect((await wide.locator("p").boundingBox())!.height).toBeGreaterThan(lineHeight * 1.5);
    await phone.context.close();
    await desk.context.close();
  } finally {
    // Other specs' rooms and screenshots should not carry this banner.
    await admin.page.request.delete(`/api/admin/broadcasts/${broadcast.id}`);
    await admin.context.close();
  }
});
