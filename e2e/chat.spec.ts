import { expect, test, type Page } from "@playwright/test";
import { joinAsGuest, newUserPage, registerAccount as register, shot } from "./helpers";

async function registerAccount(page: Page, username: string) {
  // A short password is refused with a clear message first.
  await page.goto("/login");
  await page.getByRole("tab", { name: "Register" }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "too short" })).toBeVisible();
  await register(page, username);
}

async function presenceNames(page: Page, isMobile: boolean) {
  if (isMobile) {
    const toggle = page.getByRole("button", { name: /online/ });
    if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  }
  return page.getByTestId("presence").filter({ visible: true });
}

test("a guest and a registered user chat in general", async ({ browser, isMobile }, info) => {
  const suffix = info.project.name;
  const viewport = info.project.use.viewport!;
  const guest = await newUserPage(browser, { viewport, isMobile, hasTouch: isMobile });
  const member = await newUserPage(browser, { viewport, isMobile, hasTouch: isMobile, colorScheme: "dark" });

  await joinAsGuest(guest.page, `Gwen ${suffix}`);
  await registerAccount(member.page, `reggie_${suffix}`);
  await expect(guest.page.getByTestId("rooms").getByText("general")).toBeVisible();

  await guest.page.goto("/r/general");
  await member.page.goto("/r/general");
  for (const p of [guest.page, member.page]) {
    await expect(p.getByTestId("connection")).toHaveAttribute("data-state", "connected");
    await expect(p.getByTestId("connection")).toHaveAttribute("data-transport", "websocket");
  }

  // Presence: each sees both.
  for (const p of [guest.page, member.page]) {
    const list = await presenceNames(p, !!isMobile);
    await expect(list).toContainText(`Gwen ${suffix}`);
    await expect(list).toContainText(`reggie_${suffix}`);
  }

  // Nothing overflows sideways, at 375 px or anywhere else.
  for (const p of [guest.page, member.page]) {
    const [scrollWidth, innerWidth] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth!);
  }

  // The guest types: the member sees the indicator.
  const guestBox = guest.page.getByLabel("Message #general");
  await guestBox.click();
  await guestBox.pressSequentially("Hi Reg");
  await expect(member.page.getByTestId("typing")).toHaveText(`Gwen ${suffix} is typing…`);
  await guestBox.press("Shift+Enter");
  await guestBox.pressSequentially(`second line ${suffix}`);
  await guestBox.press("Enter");
  await expect(guestBox).toHaveValue("");

  const fromGuest = member.page.getByTestId("message").filter({ hasText: `second line ${suffix}` });
  await expect(fromGuest).toBeVisible();
  await expect(fromGuest.getByTestId("body")).toHaveText(`Hi Reg\nsecond line ${suffix}`);
  await expect(member.page.getByTestId("typing")).toHaveText("");
  await expect(guest.page.getByTestId("message").filter({ hasText: `second line ${suffix}` })).toHaveAttribute("data-status", "sent");

  const memberBox = member.page.getByLabel("Message #general");
  await memberBox.fill(`Hello Gwen from ${suffix}`);
  await memberBox.press("Enter");
  await expect(guest.page.getByTestId("message").filter({ hasText: `Hello Gwen from ${suffix}` })).toBeVisible();

  // Each message shows exactly once.
  await expect(guest.page.getByTestId("message").filter({ hasText: `Hello Gwen from ${suffix}` })).toHaveCount(1);
  await expect(member.page.getByTestId("message").filter({ hasText: `second line ${suffix}` })).toHaveCount(1);

  // Reload keeps history, once.
  await member.page.reload();
  await expect(member.page.getByTestId("message").filter({ hasText: `second line ${suffix}` })).toHaveCount(1);
  await expect(member.page.getByTestId("message").filter({ hasText: `Hello Gwen from ${suffix}` })).toHaveCount(1);

  const width = viewport.width;
  if (isMobile) {
    // Close the people panel opened above, so the screenshots show the conversation.
    for (const p of [guest.page, member.page]) {
      const toggle = p.getByRole("button", { name: /online/ });
      if ((await toggle.getAttribute("aria-expanded")) === "true") await toggle.click();
    }
  }
  await guest.page.emulateMedia({ colorScheme: "light" });
  await shot(guest.page, `room-light-${width}`);
  await shot(member.page, `room-dark-${width}`);
  await guest.page.goto("/");
  await expect(guest.page.getByTestId("rooms")).toContainText(`Hello Gwen from ${suffix}`);
  await shot(guest.page, `lobby-light-${width}`);
  await member.page.goto("/");
  await expect(member.page.getByTestId("rooms")).toContainText(`Hello Gwen from ${suffix}`);
  await shot(member.page, `lobby-dark-${width}`);

  await guest.context.close();
  await member.context.close();
});

test("a room can be created and a taken name is refused", async ({ page }, info) => {
  await joinAsGuest(page, `Creator ${info.project.name}`);
  const name = `Design ${info.project.name}`;
  await page.getByRole("button", { name: "New room" }).click();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Topic (optional)").fill("Pixels and type");
  await page.getByRole("button", { name: "Create room" }).click();
  await expect(page).toHaveURL(new RegExp(`/r/design-${info.project.name}$`));
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText("No messages yet")).toBeVisible();

  await page.goto("/");
  await page.getByRole("button", { name: "New room" }).click();
  await page.getByLabel("Name").fill(name.toUpperCase());
  await page.getByRole("button", { name: "Create room" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "already exists" })).toBeVisible();
});

test("the interface speaks Simplified Chinese", async ({ browser }, info) => {
  const context = await browser.newContext({ locale: "zh-CN", viewport: info.project.use.viewport });
  const page = await context.newPage();
  await page.goto("/login");
  await expect(page.getByRole("button", { name: "以访客身份加入" })).toBeVisible();
  await page.getByLabel("显示名称").fill(`小明 ${info.project.name}`);
  await page.getByRole("button", { name: "以访客身份加入" }).click();
  await expect(page.getByRole("heading", { name: "聊天室" })).toBeVisible();
  await context.close();
});
