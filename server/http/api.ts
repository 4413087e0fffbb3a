/**
 * The HTTP edge under /api: parse, authorize, call a service, map errors to
 * statuses. The same services back the socket handlers, so behaviour cannot
 * drift between transports.
 */
import { actorFromHeaders, type AppContext } from "../context";
import type { WireError } from "../contract";
import { AppError, HTTP_STATUS, toWireError } from "../errors";
import type { Actor } from "../services/actor";
import { isAllowedOrigin } from "../socket/origin";

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
  try {
    return await req.json();
  } catch {
    throw new AppError("invalid", "body must be JSON");
  }
}

export function createApi(ctx: AppContext) {
  async function requireActor(req: Request): Promise<Actor> {
    const actor = await actorFromHeaders(ctx.auth, req.headers);
    if (!actor) throw new AppError("unauthorized", "sign in first");
    return actor;
  }

  const routes: Route[] = [
    route("GET", "/api/health", async () =>
      json({ ok: true, db: "sqlite", bus: ctx.bus.kind, version: ctx.version }),
    ),
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
      return json({ messages: await ctx.messages.history(actor, slug!, query) });
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
