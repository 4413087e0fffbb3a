/** The embed: a read-only live view of a public room inside another site's iframe. */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { expect, test } from "@playwright/test";
import { joinAsGuest, newUserPage, postMessage, shot } from "./helpers";

test("stays under 50 KB of compressed JavaScript", async ({ request }) => {
  // Measured from the build output, plus the page that loads it.
  const script = readFileSync(path.resolve(".next/embed/embed.js"));
  const page = await (await request.get("/embed/general")).body();
  const scripts = [...page.toString().matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
  expect(scripts).toEqual(["/embed.js"]);
  const total = gzipSync(script).length + gzipSync(page).length;
  console.log(`embed: ${gzipSync(script).length} B script + ${gzipSync(page).length} B page, gzip`);
  expect(total).toBeLessThan(50 * 1024);
});

test("shows new messages live in a cross-origin iframe and catches up after a dropped connection", async ({ browser, baseURL }) => {
  const site = await newUserPage(browser);
  const chatter = await newUserPage(browser);
  await joinAsGuest(chatter.page, "Announcer");

  // Another origin's page with our iframe on it: a separate little web server.
  const hostServer = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<!doctype html><title>Someone else's site</title><h1>News</h1>
      <iframe id="feed" src="${baseURL}/embed/general?theme=dark" width="400" height="400" title="Live chat"></iframe>`);
  });
  await new Promise<void>((resolve) => hostServer.listen(0, "127.0.0.1", resolve));
  const host = `http://localhost:${(hostServer.address() as AddressInfo).port}`;
  test.info().attach("host", { body: host });
  await site.page.goto(`${host}/someone-elses-site.html`);
  const frame = site.page.frameLocator("#feed");
  await expect(frame.locator("#status")).toHaveAttribute("data-state", "live");

  await postMessage(chatter.page, "general", "live into the embed");
  await expect(frame.locator("#log li").filter({ hasText: "live into the embed" })).toHaveCount(1);
  await expect(frame.locator("#log li").filter({ hasText: "live into the embed" }).locator(".who")).toHaveText("Announcer");

  await site.context.setOffline(true);
  await expect(frame.locator("#status")).toHaveAttribute("data-state", "reconnecting");
  for (let i = 1; i <= 5; i++) await postMessage(chatter.page, "general", `missed by the embed ${i}`);
  await site.context.setOffline(false);
  await expect(frame.locator("#status")).toHaveAttribute("data-state", "live", { timeout: 20_000 });
  await expect(frame.locator("#log li").filter({ hasText: "missed by the embed 5" })).toHaveCount(1);
  const texts = await frame.locator("#log li p").allTextContents();
  const missed = texts.filter((t) => t.startsWith("missed by the embed"));
  expect(missed).toEqual([1, 2, 3, 4, 5].map((i) => `missed by the embed ${i}`));
  expect(texts.filter((t) => t === "live into the embed")).toHaveLength(1);

  // Nothing but messages and display names reaches the embed.
  const feedText = await site.page.evaluate(async (url) => {
    const res = await fetch(url);
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    await reader.cancel();
    return new TextDecoder().decode(value);
  }, `${baseURL}/api/rooms/general/feed`);
  expect(feedText).not.toContain("clientId");
  expect(feedText).not.toMatch(/"author":\{"id"/);

  await shot(site.page, "embed-dark-iframe");
  hostServer.close();
  await site.context.close();
  await chatter.context.close();
});

test("a private room has no embed", async ({ browser }) => {
  const { context, page } = await newUserPage(browser);
  await joinAsGuest(page, "Secretive");
  const res = await page.request.post("/api/rooms", { data: { name: "Quiet Corner", visibility: "private" } });
  expect(res.status()).toBe(201);
  const embed = await page.request.get("/embed/quiet-corner");
  expect(embed.status()).toBe(404);
  await context.close();
});
