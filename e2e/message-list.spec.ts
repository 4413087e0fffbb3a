/**
 * The message list for keyboards, screen readers and fingers (issue 11,
 * sections 4 and 5): one tab stop with arrow keys between messages, each new
 * message announced once as "author: text" by a polite region while the log
 * itself stays silent, controls named with the message they act on, and the
 * actions reachable by touch at 375 px.
 */
import { expect, test, type Page } from "@playwright/test";
import { createRoom, joinAsGuest, messages, newUserPage, openRoom } from "./helpers";


async function post(page: Page, slug: string, body: string) {
  const res = await page.request.post(`/api/rooms/${slug}/messages`, { data: { clientId: crypto.randomUUID(), body } });
  expect(res.status()).toBe(201);
}


/** The list's elements that Tab stops at. */
const tabStops = (page: Page) =>
  page.getByTestId("message-log").evaluate((log) =>
    Array.from(log.querySelectorAll<HTMLElement>("li, a[href], button, textarea, input, [tabindex]")).filter((el) => el.tabIndex >= 0).map((el) => el.tagName),
  );

test("the list is one tab stop, arrows move between messages, and Tab reaches the selected one's actions", async ({ browser }) => {
  const ada = await newUserPage(browser);
  await joinAsGuest(ada.page, "Ada Keys");
  const slug = await createRoom(ada.page, "Keyboard room");
  for (const body of ["first **one**", "second with a https://example.com link", "third one"]) await post(ada.page, slug, body);
  await openRoom(ada.page, slug);
  await expect(messages(ada.page, "third one")).toBeVisible();

  // Three messages, each with several controls and a link: one tab stop, the newest message.
  const stops = await tabStops(ada.page);
  expect(stops.filter((t) => t === "LI")).toHaveLength(1);
  const active = ada.page.locator('[data-testid=message][tabindex="0"]');
  await expect(active).toHaveCount(1);
  await expect(active).toContainText("third one");
  // The other messages' controls are out of the tab order.
  await expect(messages(ada.page, "second with").getByRole("link")).toHaveAttribute("tabindex", "-1");

  await active.focus();
  await ada.page.keyboard.press("ArrowUp");
  await expect(messages(ada.page, "second with")).toBeFocused();
  await expect(messages(ada.page, "second with")).toHaveAttribute("tabindex", "0");
  await expect(messages(ada.page, "third one")).toHaveAttribute("tabindex", "-1");
  // Now its link is reachable, and Tab moves into the selected message.
  await expect(messages(ada.page, "second with").getByRole("link")).not.toHaveAttribute("tabindex", "-1");
  await ada.page.keyboard.press("Tab");
  const focusedInside = await messages(ada.page, "second with").evaluate((li) => li.contains(document.activeElement) && li !== document.activeElement);
  expect(focusedInside).toBe(true);
  await messages(ada.page, "second with").focus();
  await ada.page.keyboard.press("Home");
  await expect(messages(ada.page, "first one")).toBeFocused();
  await ada.page.keyboard.press("End");
  await expect(messages(ada.page, "third one")).toBeFocused();

  // Controls say which message they act on.
  await expect(messages(ada.page, "third one").getByRole("button", { name: "Edit message: third one" })).toHaveCount(1);
  await expect(messages(ada.page, "third one").getByRole("button", { name: "Reply to Ada Keys: third one" })).toHaveCount(1);
  await ada.context.close();
});

test("a new message is announced once as author: text, and the log itself stays silent", async ({ browser }) => {
  const ada = await newUserPage(browser);
  await joinAsGuest(ada.page, "Ada Listens");
  const slug = await createRoom(ada.page, "Announce room");
  await post(ada.page, slug, "already here");
  await openRoom(ada.page, slug);
  const log = ada.page.getByTestId("message-log");
  await expect(log).toHaveAttribute("role", "log");
  await expect(log).toHaveAttribute("aria-live", "off");
  const announcer = ada.page.getByTestId("announcer");
  await expect(announcer).toHaveAttribute("aria-live", "polite");
  // History is not announced.
  await expect(announcer.locator("p")).toHaveCount(0);

  const bo = await newUserPage(browser);
  await joinAsGuest(bo.page, "Bo Speaks");
  await post(bo.page, slug, "hello **there**");
  await expect(messages(ada.page, "hello there")).toBeVisible();
  await expect(announcer.locator("p")).toHaveText(["Bo Speaks: hello there"]);
  // Avatars are not read out (no "B" before the name).
  await expect(messages(ada.page, "hello there").locator('[aria-hidden="true"]').first()).toBeAttached();

  // One's own messages are not announced back.
  await ada.page.locator("#composer").fill("my own words");
  await ada.page.locator("#composer").press("Enter");
  await expect(messages(ada.page, "my own words")).toHaveAttribute("data-status", "sent");
  await post(bo.page, slug, "second note");
  await expect(announcer.locator("p")).toHaveText(["Bo Speaks: hello there", "Bo Speaks: second note"]);
  await ada.context.close();
  await bo.context.close();
});

test("on a touch screen at 375 px, a visible button and a long-press open a message's actions", async ({ browser }) => {
  const ada = await newUserPage(browser, { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  await joinAsGuest(ada.page, "Ada Touch");
  const slug = await createRoom(ada.page, "Touch room");
  await post(ada.page, slug, "tap me");
  await post(ada.page, slug, "press me long");
  await openRoom(ada.page, slug);

  const first = messages(ada.page, "tap me");
  const more = first.getByTestId("more-actions");
  await expect(more).toBeVisible();
  await more.tap();
  await expect(more).toHaveAttribute("aria-expanded", "true");
  await expect(first.getByTestId("message-tools")).toHaveCSS("opacity", "1");
  await first.getByRole("button", { name: /^Reply to Ada Touch: tap me/ }).tap();
  await expect(ada.page.getByText("Replying to")).toBeVisible();

  // A long-press (the context menu a touch screen raises) opens the other message's actions.
  const second = messages(ada.page, "press me long");
  await second.dispatchEvent("contextmenu");
  await expect(second.getByTestId("more-actions")).toHaveAttribute("aria-expanded", "true");
  await expect(second.getByTestId("message-tools")).toHaveCSS("opacity", "1");
  await second.getByRole("button", { name: /^Edit message: press me long/ }).tap();
  await expect(second.getByRole("textbox")).toBeVisible();

  // The hint speaks of tapping, not of Shift+Enter.
  await expect(ada.page.getByTestId("composer-hint")).toHaveText("Tap Send or the return key to post");
  await ada.context.close();
});
