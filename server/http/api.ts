/**
 * The HTTP edge under /api: parse, authorize, call a service, map errors to
 * statuses. The same services back the socket handlers, so behaviour cannot
 * drift between transports.
 */
import type { AppContext } from "../context";
import type { WireError } from "../contract";
import type { UserCredential } from "../credentials";
import { patchMessageSchema, postMessageSchema, postReactionSchema, readBodySchema } from "../contract";
import { AppError, HTTP_STATUS, toWireError, wireError } from "../errors";
import type { Actor } from "../services/actor";
import { isAllowedOrigin } from "../socket/origin";
import { decodeSegment } from "./guard";
import { createLongPoll } from "./longpoll";

const json = (body: unknown, status = 200, headers: HeadersInit = {}) =>
  Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });

const fail = (error: WireError) =>
  // A 429 says when to come back, in seconds (RFC 9110), as the body does in ms.
  json({ error }, HTTP_STATUS[error.code], error.retryAfter ? { "retry-after": String(Math.ceil(error.retryAfter / 1000)) } : {});

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
    throw new AppError("bad_json", "body must be JSON");
  }
}

export function createApi(ctx: AppContext) {
  const poll = createLongPoll(ctx);

  /** The session cookie's user, or an API token's (scripts, bots). */
  async function requireCredential(req: Request): Promise<UserCredential> {
    const resolved = await ctx.credentials.resolve({ headers: req.headers });
    if (!resolved.ok) throw new AppError("invalid_token", "invalid API token");
    const credential = resolved.credential;
    if (!credential || credential.kind === "feed-token") throw new AppError("sign_in_required", "sign in first");
    return credential;
  }
  const requireActor = async (req: Request): Promise<Actor> => (await requireCredential(req)).actor;

  const routes: Route[] = [
    route("GET", "/api/health", async () =>
      json({ ok: true, db: ctx.health.db, bus: ctx.health.bus, node: ctx.nodeId, version: ctx.version }),
    ),
    route("GET", "/api/ready", async () => {
      const readiness = await ctx.health.ready();
      return json(readiness, readiness.ok ? 200 : 503);
    }),
    route("GET", "/api/me", async (req) => json({ user: await ctx.credentials.sessionActor(req.headers) })),
    route("POST", "/api/me/upgrade", async (req) => {
      const credential = await requireCredential(req);
      if (credential.kind !== "session") throw new AppError("forbidden", "sign in with a session to register");
      return json(await ctx.identity.upgradeGuest(credential.actor, await readJson(req)));
    }),
    // Each room with this user's read state and counts; `now` is the server's clock (relative times).
    // ?include=dms: direct messages too, as the sidebar lists them.
    route("GET", "/api/rooms", async (req) =>
      json({
        rooms: await ctx.reads.entries(await requireActor(req), { dms: new URL(req.url).searchParams.get("include") === "dms" }),
        now: new Date().toISOString(),
      }),
    ),
    route("POST", "/api/rooms/:slug/read", async (req, { slug }) => {
      const actor = await requireActor(req);
      const { seq } = readBodySchema.parse(await readJson(req));
      return json(await ctx.reads.markRead(actor, { room: slug, seq }));
    }),
    route("PUT", "/api/rooms/:slug/settings", async (req, { slug }) =>
      json(await ctx.reads.setSettings(await requireActor(req), slug!, await readJson(req))),
    ),
    route("POST", "/api/rooms", async (req) => {
      const actor = await requireActor(req);
      return json({ room: await ctx.rooms.create(actor, await readJson(req)) }, 201);
    }),
    route("POST", "/api/rooms/:slug/members", async (req, { slug }) => {
      const actor = await requireActor(req);
      return json({ member: await ctx.rooms.addMember(actor, slug!, await readJson(req)) }, 201);
    }),
    route("DELETE", "/api/rooms/:slug/members/:user", async (req, { slug, user }) => {
      await ctx.rooms.removeMember(await requireActor(req), slug!, user!);
      return json({ ok: true });
    }),
    route("GET", "/api/rooms/:slug/messages", async (req, { slug }) => {
      const credential = await requireCredential(req);
      const query = Object.fromEntries(new URL(req.url).searchParams);
      // With a cursor: polling / long-polling (`wait`). Without: a history page.
      if (query.after !== undefined) return json(await poll(credential, slug!, query, req.signal));
      // ?around=SEQ: the page centred on a message (search results, jumps to an original).
      if (query.around !== undefined) return json(await ctx.messages.around(credential.actor, slug!, query));
      return json({ messages: await ctx.messages.history(credential.actor, slug!, query) });
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
    route("GET", "/api/rooms/:slug/people", async (req, { slug }) => json({ people: await ctx.mentions.people(await requireActor(req), slug!) })),
    route("POST", "/api/rooms/:slug/messages/:id/reactions", async (req, { slug, id }) => {
      const actor = await requireActor(req);
      const { emoji } = postReactionSchema.parse(await readJson(req));
      const { seq, reactions } = await ctx.reactions.toggle(actor, { room: slug, id, emoji });
      return json({ seq, reactions });
    }),
    route("DELETE", "/api/rooms/:slug/messages/:id", async (req, { slug, id }) => {
      const actor = await requireActor(req);
      return json({ deleted: await ctx.messages.remove(actor, { room: slug, id }) });
    }),
    route("POST", "/api/rooms/:slug/messages/:id/report", async (req, { slug, id }) => {
      const actor = await requireActor(req);
      return json({ report: await ctx.dms.report(actor, slug!, id!, await readJson(req)) }, 201);
    }),
    // ---- Direct messages and the block list.
    route("GET", "/api/dms", async (req) => json({ dms: await ctx.dms.list(await requireActor(req)) })),
    route("POST", "/api/dms", async (req) => {
      const actor = await requireActor(req);
      return json({ room: await ctx.dms.open(actor, await readJson(req)) });
    }),
    route("GET", "/api/blocks", async (req) => json({ blocks: await ctx.dms.blocks(await requireActor(req)) })),
    route("POST", "/api/blocks", async (req) => {
      const actor = await requireActor(req);
      return json({ blocked: await ctx.dms.block(actor, await readJson(req)) }, 201);
    }),
    route("DELETE", "/api/blocks/:user", async (req, { user }) => {
      await ctx.dms.unblock(await requireActor(req), user!);
      return json({ ok: true });
    }),
    route("GET", "/api/search", async (req) =>
      json(await ctx.search.search(await requireActor(req), Object.fromEntries(new URL(req.url).searchParams))),
    ),
    // ---- Admin: broadcasts, moderation, audit. Every route checks the role
    // in its service (the admin policy), not only here.
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
      json({
        users: await ctx.moderation.findUsers(
          await requireActor(req),
          new URL(req.url).searchParams.get("q") ?? "",
          new URL(req.url).searchParams.get("room") ?? undefined,
        ),
      }),
    ),
    route("GET", "/api/admin/audit", async (req) =>
      json({ entries: await ctx.audit.list(await requireActor(req), Object.fromEntries(new URL(req.url).searchParams)) }),
    ),
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
    // Writes must come from our own pages (or APP_ORIGIN): sign-in and
    // sign-up included, so a browser's preflight is not the only guard.
    if (req.method !== "GET" && req.method !== "HEAD" && !isAllowedOrigin(req.headers.get("origin"), url.origin, ctx.env.APP_ORIGIN)) {
      return fail(wireError("cross_origin", "cross-origin request refused"));
    }
    if (url.pathname.startsWith("/api/auth/")) return ctx.auth.handler(req);
    let methodMismatch = false;
    for (const r of routes) {
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      if (r.method !== req.method) {
        methodMismatch = true;
        continue;
      }
      try {
        const params = Object.fromEntries(r.keys.map((k, i) => [k, decodeSegment(m[i + 1]!)]));
        return await r.handler(req, params);
      } catch (err) {
        return fail(toWireError(err, `${req.method} ${url.pathname}`));
      }
    }
    if (methodMismatch) return json({ error: wireError("method_not_allowed", "method not allowed", { params: { method: req.method } }) }, 405);
    return fail(wireError("no_route", `no API route ${url.pathname}`, { params: { path: url.pathname } }));
  };
}
