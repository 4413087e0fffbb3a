/**
 * Headers and framing in a real browser (server/http/security.ts):
 * - A page of another origin on the same host (same-site: cookies are sent)
 *   cannot frame /admin or a room, even with an admin's session; the embed
 *   still frames.
 * - The Content-Security-Policy reports no violation anywhere in normal use:
 *   Next's scripts carry the nonce, Socket.IO's WebSocket is allowed by
 *   connect-src 'self', the static example pages load their scripts by URL.
 * - And it does block what it should: an inline script without the nonce.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { grantAdmin, joinAsGuest, messages, newUserPage, registerAccount, shot } from "./helpers";

interface Violation {
  page: string;
  directive: string;
  blocked: string;
  sample?: string;
}

/**
 * Records every CSP violation in every frame of a context: the DOM's
 * securitypolicyviolation events (through a binding, so they survive
 * navigations) and Chromium's console errors about the policy.
 */
async function watchCsp(context: BrowserContext): Promise<Violation[]> {
  const found: Violation[] = [];
  await context.exposeBinding("__reportCsp", ({ frame }, v: Omit<Violation, "page">) => void found.push({ page: frame.url(), ...v }));
  await context.addInitScript(() => {
    document.addEventListener(
      "securitypolicyviolation",
      (e) => (window as unknown as { __reportCsp: (v: object) => void }).__reportCsp({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample }),
      true,
    );
  });
  context.on("console", (msg) => {
    if (/Content Security Policy/i.test(msg.text())) found.push({ page: msg.page()?.url() ?? "?", directive: "console", blocked: msg.text() });
  });
  return found;
}

async function serveForeignPage(html: (base: string) => string, base: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(html(base));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

test("a page on another port cannot frame /admin or a room, even with the admin's session; the embed frames", async ({ browser, baseURL }) => {
  const adminName = `framed_${Date.now().toString(36)}`;
  const { context, page } = await newUserPage(browser);
  await registerAccount(page, adminName);
  grantAdmin(adminName);
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Admin", level: 1 })).toBeVisible();

  // Same host, other port: same-site, so the session cookie goes along with the frames.
  const foreign = await serveForeignPage(
    (base) => `<!doctype html><title>Not Relay</title><h1>Win a prize</h1>
      <iframe id="admin" src="${base}/admin" width="600" height="300"></iframe>
      <iframe id="room" src="${base}/r/general" width="600" height="300"></iframe>
      <iframe id="embed" src="${base}/embed/general" width="400" height="300"></iframe>`,
    baseURL!,
  );
  const consoleErrors: string[] = [];
  page.on("console", (msg) => consoleErrors.push(msg.text()));
  try {
    await page.goto(foreign.url);
    // The embed renders and goes live.
    await expect(page.frameLocator("#embed").locator("#status")).toHaveAttribute("data-state", "live");
    // Chromium refuses the two app frames and says why.
    await expect
      .poll(() => consoleErrors.filter((t) => /frame-ancestors 'none'/.test(t)).map((t) => /Framing '([^']+)' violates/.exec(t)?.[1]).sort())
      .toEqual([`${baseURL}/`, `${baseURL}/`]);
    for (const id of ["admin", "room"]) {
      const frame = await (await page.locator(`#${id}`).elementHandle())!.contentFrame();
      // A refused frame shows Chromium's error page, never the app.
      expect(frame?.url(), id).not.toContain(baseURL!);
      await expect(page.frameLocator(`#${id}`).locator("body")).not.toContainText("Admin");
      await expect(page.frameLocator(`#${id}`).getByTestId("message-log")).toHaveCount(0);
    }
  } finally {
    foreign.server.close();
    await context.close();
  }
});

test("every response kind carries nosniff and the referrer policy; pages carry a nonce CSP", async ({ page }) => {
  await joinAsGuest(page, `Header Reader ${Date.now().toString(36)}`);
  const res = await page.goto("/r/general");
  const csp = res!.headers()["content-security-policy"]!;
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'(;|$)/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
  const css = await page.locator('link[rel="stylesheet"]').first().getAttribute("href");
  const urls = ["/r/general", "/login", "/no-such-page", css!, "/examples/index.html", "/examples/common.js", "/icon.svg", "/embed/general", "/embed.js", "/api/health"];
  for (const url of urls) {
    const r = await page.request.get(url);
    expect(r.headers()["x-content-type-options"], url).toBe("nosniff");
    expect(r.headers()["referrer-policy"], url).toBe("strict-origin-when-cross-origin");
    expect(r.headers()["content-security-policy"], url).toMatch(url.startsWith("/embed/") ? /frame-ancestors \*/ : /frame-ancestors 'none'/);
  }
});

test("the CSP reports no violation in normal use, and blocks an inline script without the nonce", async ({ browser }) => {
  const suffix = Date.now().toString(36);
  const { context, page } = await newUserPage(browser);
  const violations = await watchCsp(context);
  const visited: string[] = [];
  const visit = async (p: Page, url: string) => {
    visited.push(url);
    return p.goto(url);
  };

  // Sign in, the lobby, a room with messages sent over Socket.IO (WebSocket).
  await visit(page, "/login");
  await joinAsGuest(page, `Policy Walker ${suffix}`);
  await visit(page, "/r/general");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-transport", "websocket");
  for (const body of ["first under the policy", "second under the policy"]) {
    await page.getByRole("combobox", { name: "Message #general" }).fill(body);
    await page.keyboard.press("Enter");
    await expect(messages(page, body)).toHaveAttribute("data-status", "sent");
  }
  await expect(page.getByTestId("guest-badge").first()).toBeVisible();
  await page.getByRole("button", { name: "Share" }).click();
  await shot(page, "csp-room-1280");
  await visit(page, "/");
  await expect(page.getByRole("heading", { name: "Rooms" })).toBeVisible();

  // The embed, the tutorial pages (each one connecting with its technique) and a 404.
  await visit(page, "/embed/general");
  await expect(page.locator("#status")).toHaveAttribute("data-state", "live");
  await expect(page.locator("#log li").filter({ hasText: "second under the policy" }).locator(".guest")).toHaveText("guest");
  for (const example of ["index", "polling", "long-polling", "sse", "websocket"]) {
    await visit(page, `/examples/${example}.html`);
    await expect(page.locator("h1")).toBeVisible();
  }
  await page.locator("#connect").click(); // websocket.html: a native WebSocket to /ws
  await expect(page.locator("#status")).toHaveAttribute("data-state", "live");
  await visit(page, "/examples/sse.html");
  await page.locator("#open").click();
  await expect(page.locator("#status")).toHaveAttribute("data-state", "live");
  const missing = await visit(page, "/no-such-page");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("link", { name: "Go to rooms" })).toBeVisible();

  // /admin, as an admin.
  const admin = await newUserPage(browser);
  const adminViolations = await watchCsp(admin.context);
  const adminName = `policy_admin_${suffix}`;
  await registerAccount(admin.page, adminName);
  grantAdmin(adminName);
  await visit(admin.page, "/admin");
  await expect(admin.page.getByRole("heading", { name: "Admin", level: 1 })).toBeVisible();
  await expect(admin.page.getByTestId("user-list").getByTestId("guest-badge").first()).toBeVisible();
  // Let the live section poll once more.
  await admin.page.waitForTimeout(2500);

  expect(visited.length).toBeGreaterThan(10);
  expect(violations).toEqual([]);
  expect(adminViolations).toEqual([]);

  // The watch is live, and the policy bites: an injected inline script does not run.
  await page.goto("/r/general");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  const ran = await page.evaluate(() => {
    const s = document.createElement("script");
    s.textContent = "window.__injected = true;";
    document.body.append(s);
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => violations.filter((v) => v.directive === "script-src-elem").length).toBeGreaterThan(0);
  await admin.context.close();
  await context.close();
});
