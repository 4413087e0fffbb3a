/**
 * The HTTP edge under /api: parse, authorize, call a service, map errors to
 * statuses. The same services back the socket handlers, so behaviour cannot
 * drift between transports.
 */
import { actorFromHeaders, type AppContext } from "../context";
import type { WireError } from "../contract";
import { patchMessageSchema, postMessageSchema } from "../contract";
import { AppError, HTTP_STATUS, toWireError } from "../errors";
import type { Actor } from "../services/actor";
import { isAllowedOrigin } from "../socket/origin";
import { handleHealth, handleReady, readinessChecks } from "./health";
import { createLongPoll } from "./longpoll";
import { listAudit } from "../services/audit";
import { requireAdmin } from "../services/broadcasts";

const json = (body: unknown, status = 200, headers: HeadersInit = {}) =>
  Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });

const fail = (error: WireError) => json({ error }, HTTP_STATUS[error.code]);

type Handler = (req: Request, params: Record<string, string>) => Promise<Response>;
interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

function route(method: string, path: string, handler: Handler): Route {
  const keys: string[] = [];
  const pattern = new RegExp(
    "^" + path.replace(/:([a-z]+)/gi, (_, key: string) => (keys.push(key), "([^/]+)")) + "/?$",
  );
  return { method, pattern, keys, handler };
}

async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid", "body must be JSON");
  }
}

/** `Authorization: Bearer <token>` or null. */
export function bearerToken(headers: Headers): string | null {
  const value = headers.get("authorization");
  return value?.startsWith("Bearer ") ? value.slice(7).trim() : null;
}

export function createApi(ctx: AppContext) {
  const poll = createLongPoll(ctx);
  const ready = readinessChecks(ctx);

  /** The session cookie's user, or an API token's (scripts, bots). */
  async function requireActor(req: Request): Promise<Actor> {
    const token = bearerToken(req.headers);
    const actor = token ? await ctx.tokens.verifyApiToken(token) : await actorFromHeaders(ctx.auth, req.headers);
    if (!actor) throw new AppError("unauthorized", token ? "invalid API token" : "sign in first");
    return actor;
  }

  const routes: Route[] = [
    route("GET", "/api/health", async () => handleHealth(ctx)),
    route("GET", "/api/ready", async () => handleReady(ready)),
    route("GET", "/api/me", async (req) => json({ user: await actorFromHeaders(ctx.auth, req.headers) })),
    route("GET", "/api/rooms", async (req) => json({ rooms: await ctx.rooms.list(await requireActor(req)) })),
    route("POST", "/api/rooms", async (req) => {
      const actor = await requireActor(req);
      return json({ room: await ctx.rooms.create(actor, await readJson(req)) }, 201);
    }),
    route("POST", "/api/rooms/:slug/members", async (req, { slug }) => {
      const actor = await requireActor(req);
      return json({ member: await ctx.rooms.addMember(actor, slug!, await readJson(req)) }, 201);
    }),
    route("GET", "/api/rooms/:slug/messages", async (req, { slug }) => {
      const actor = await requireActor(req);
      const query = Object.fromEntries(new URL(req.url).searchParams);
      // With a cursor: polling / long-polling (`wait`). Without: a history page.
      if (query.after !== undefined) return json(await poll(actor, slug!, query, req.signal));
      return json({ messages: await ctx.messages.history(actor, slug!, query) });
    }),
    route("POST", "/api/rooms/:slug/messages", async (req, { slug }) => {
      const actor = await requireActor(req);
      const body = postMessageSchema.parse(await readJson(req));
      return json({ message: await ctx.messages.send(actor, { ...body, room: slug }) }, 201);
    }),
    route("PATCH", "/api/rooms/:slug/messages/:id", async (req, { slug, id }) => {
      const actor = await requireActor(req);
      const { body } = patchMessageSchema.parse(await readJson(req));
      return json({ message: await ctx.messages.edit(actor, { room: slug, id, body }) });
    }),
    route("DELETE", "/api/rooms/:slug/messages/:id", async (req, { slug, id }) => {
      const actor = await requireActor(req);
      return json({ deleted: await ctx.messages.remove(actor, { room: slug, id }) });
    }),
    // ---- Admin: broadcasts, moderation, audit. Every route checks the role
    // in its service (requireAdmin), not only here.
    route("GET", "/api/admin/broadcasts", async (req) => json({ broadcasts: await ctx.broadcasts.list(await requireActor(req)) })),
    route("POST", "/api/admin/broadcasts", async (req) =>
      json({ broadcast: await ctx.broadcasts.send(await requireActor(req), await readJson(req)) }, 201),
    ),
    route("DELETE", "/api/admin/broadcasts/:id", async (req, { id }) => {
      await ctx.broadcasts.retract(await requireActor(req), id!);
      return json({ ok: true });
    }),
    route("POST", "/api/admin/mutes", async (req) => json(await ctx.moderation.mute(await requireActor(req), await readJson(req)), 201)),
    route("DELETE", "/api/admin/mutes", async (req) => {
      await ctx.moderation.unmute(await requireActor(req), await readJson(req));
      return json({ ok: true });
    }),
    route("POST", "/api/admin/bans", async (req) => {
      await ctx.moderation.ban(await requireActor(req), await readJson(req));
      return json({ ok: true }, 201);
    }),
    route("DELETE", "/api/admin/bans/:user", async (req, { user }) => {
      await ctx.moderation.unban(await requireActor(req), { user });
      return json({ ok: true });
    }),
    route("POST", "/api/admin/rooms/:slug/lock", async (req, { slug }) =>
      json(await ctx.moderation.lock(await requireActor(req), slug!, await readJson(req))),
    ),
    route("GET", "/api/admin/users", async (req) =>
      json({ users: await ctx.moderation.findUsers(await requireActor(req), new URL(req.url).searchParams.get("q") ?? "") }),
    ),
    route("GET", "/api/admin/audit", async (req) => {
      await requireAdmin(ctx.prisma, await requireActor(req));
      return json({ entries: await listAudit(ctx.prisma, Object.fromEntries(new URL(req.url).searchParams)) });
    }),
    route("GET", "/api/tokens", async (req) => json({ tokens: await ctx.tokens.listApiTokens(await requireActor(req)) })),
    route("POST", "/api/tokens", async (req) =>
      json({ token: await ctx.tokens.createApiToken(await requireActor(req), await readJson(req)) }, 201),
    ),
    route("DELETE", "/api/tokens/:id", async (req, { id }) => {
      await ctx.tokens.revokeApiToken(await requireActor(req), id!);
      return json({ ok: true });
    }),
    route("GET", "/api/rooms/:slug/feed-tokens", async (req, { slug }) =>
      json({ tokens: await ctx.tokens.listFeedTokens(await requireActor(req), slug!) }),
    ),
    route("POST", "/api/rooms/:slug/feed-tokens", async (req, { slug }) =>
      json({ token: await ctx.tokens.createFeedToken(await requireActor(req), slug!, await readJson(req)) }, 201),
    ),
    route("DELETE", "/api/rooms/:slug/feed-tokens/:id", async (req, { slug, id }) => {
      await ctx.tokens.revokeFeedToken(await requireActor(req), slug!, id!);
      return json({ ok: true });
    }),
  ];

  return async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname.startsWith("/api/auth/")) return ctx.auth.handler(req);
    // Cookie-authenticated writes must come from our own pages (or APP_ORIGIN).
    if (req.method !== "GET" && req.method !== "HEAD" && !isAllowedOrigin(req.headers, ctx.env.APP_ORIGIN)) {
      return fail({ code: "forbidden", message: "cross-origin request refused" });
    }
    let methodMismatch = false;
    for (const r of routes) {
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      if (r.method !== req.method) {
        methodMismatch = true;
        continue;
      }
      const params = Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1]!)]));
      try {
        return await r.handler(req, params);
      } catch (err) {
        return fail(toWireError(err, `${req.method} ${url.pathname}`));
      }
    }
    if (methodMismatch) return json({ error: { code: "invalid", message: "method not allowed" } }, 405);
    return fail({ code: "not_found", message: `no API route ${url.pathname}` });
  };
}
