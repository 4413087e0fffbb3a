/**
 * Transport resilience in real Chromium: fallback to polling when WebSocket is
 * blocked, catching up after going offline, and the outbox surviving a reload.
 */
import { expect, test } from "@playwright/test";
import { joinAsGuest, messages, newUserPage, postMessage } from "./helpers";

/** Unique text per test run, so reruns against one database stay independent. */
const unique = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 6);

test("falls back to polling when WebSocket is blocked, and chat works", async ({ browser }) => {
  const tag = unique();
  const blocked = await newUserPage(browser);
  // A proxy that refuses WebSocket: every upgrade to Socket.IO is closed at once.
  await blocked.page.routeWebSocket(/\/socket\.io\//, (ws) => ws.close({ code: 1008, reason: "blocked by proxy" }));
  const other = await newUserPage(browser);
  await joinAsGuest(blocked.page, "Behind Proxy");
  await joinAsGuest(other.page, "Open Network");
  await blocked.page.goto("/r/general");
  await other.page.goto("/r/general");

  const badge = blocked.page.getByTestId("connection");
  await expect(badge).toHaveAttribute("data-state", "connected");
  await expect(badge).toHaveAttribute("data-transport", "polling");
  await expect(blocked.page.locator('[role="tooltip"]')).toContainText("polling");

  const box = blocked.page.getByLabel("Message #general");
  await box.fill(`hello over long-polling ${tag}`);
  await box.press("Enter");
  await expect(messages(other.page, `hello over long-polling ${tag}`)).toHaveCount(1);

  await other.page.getByLabel("Message #general").fill(`and back to you ${tag}`);
  await other.page.getByLabel("Message #general").press("Enter");
  await expect(messages(blocked.page, `and back to you ${tag}`)).toHaveCount(1);
  await blocked.context.close();
  await other.context.close();
});

test("?transport=polling forces polling for diagnosis", async ({ browser }) => {
  const { context, page } = await newUserPage(browser);
  await joinAsGuest(page, "Diagnoser");
  await page.goto("/r/general?transport=polling");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-transport", "polling");
  await context.close();
});

test("offline: 20 messages arrive once and in order, and the offline message is delivered once", async ({ browser }) => {
  const run = unique();
  const away = await newUserPage(browser);
  const sender = await newUserPage(browser);
  await joinAsGuest(away.page, "Commuter");
  await joinAsGuest(sender.page, "Chatterbox");
  await away.page.goto("/r/general");
  await sender.page.goto("/r/general");
  await expect(away.page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  // Connected is not loaded: a room whose first join never came back has no composer to type into.
  const box = away.page.getByLabel("Message #general");
  await expect(box).toBeEnabled();

  await away.context.setOffline(true);
  await expect(away.page.getByTestId("connection")).not.toHaveAttribute("data-state", "connected");
  await box.fill(`typed in the tunnel ${run}`);
  await box.press("Enter");
  // Offline: queued in the outbox until the connection returns.
  await expect(messages(away.page, `typed in the tunnel ${run}`)).toHaveAttribute("data-status", "queued");

  for (let i = 1; i <= 20; i++) await postMessage(sender.page, "general", `while away ${run} #${i}`);

  await away.context.setOffline(false);
  await expect(away.page.getByTestId("connection")).toHaveAttribute("data-state", "connected", { timeout: 20_000 });
  await expect(messages(away.page, `while away ${run} #20`)).toHaveCount(1, { timeout: 15_000 });
  const bodies = await messages(away.page, new RegExp(`while away ${run} #\\d+`)).getByTestId("body").allTextContents();
  // A screen reader hears once what the resume brought in (the badge itself says "Connected").
  // 20, or 21 when the queued message was flushed before the resume read the log.
  await expect(away.page.getByTestId("caught-up")).toHaveText(/^Back online: 2[01] missed messages loaded\.$/);
  await expect(away.page.getByTestId("caught-up")).toHaveAttribute("role", "status");
  expect(bodies).toEqual(Array.from({ length: 20 }, (_, i) => `while away ${run} #${i + 1}`));

  await expect(messages(away.page, `typed in the tunnel ${run}`)).toHaveAttribute("data-status", "sent");
  await expect(messages(sender.page, `typed in the tunnel ${run}`)).toHaveCount(1);
  // Once in the database too, not just on screen.
  const res = await sender.page.request.get("/api/rooms/general/messages?limit=200");
  const stored = ((await res.json()) as { messages: { body: string }[] }).messages.filter((m) => m.body === `typed in the tunnel ${run}`);
  expect(stored).toHaveLength(1);
  await away.context.close();
  await sender.context.close();
});

test("a message pending in the outbox is delivered once after a reload", async ({ browser }) => {
  const tag = unique();
  const { context, page } = await newUserPage(browser);
  const watcher = await newUserPage(browser);
  await joinAsGuest(page, "Reloader");
  await joinAsGuest(watcher.page, "Watcher");
  await watcher.page.goto("/r/general");

  // Swallow outgoing sends, so the message stays pending (its ack never comes).
  let swallow = true;
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((frame) => {
      if (swallow && typeof frame === "string" && frame.includes('"message:send"')) return;
      server.send(frame);
    });
  });
  await page.goto("/r/general");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await page.getByLabel("Message #general").fill(`survives a reload ${tag}`);
  await page.getByLabel("Message #general").press("Enter");
  // Sent, and its ack never comes: in flight.
  await expect(messages(page, `survives a reload ${tag}`)).toHaveAttribute("data-status", "sending");
  await expect(messages(watcher.page, `survives a reload ${tag}`)).toHaveCount(0);

  swallow = false;
  await page.reload();
  await expect(messages(page, `survives a reload ${tag}`)).toHaveAttribute("data-status", "sent");
  await expect(messages(page, `survives a reload ${tag}`)).toHaveCount(1);
  await expect(messages(watcher.page, `survives a reload ${tag}`)).toHaveCount(1);
  await context.close();
  await watcher.context.close();
});
