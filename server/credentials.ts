/**
 * The one credential resolver shared by every edge: Socket.IO's handshake,
 * /ws, the HTTP API, SSE feeds and Next's server components all turn a request
 * into "who is this" here, so the rules cannot drift between transports.
 *
 * A request carries at most one credential, looked for in this order:
 * - an API token (`Authorization: Bearer rat_…`, or `?token=rat_…` where the
 *   edge allows it: browsers cannot set headers on a WebSocket);
 * - a feed token (`?token=rft_…`, SSE feeds only): read access to one room;
 * - the session cookie.
 * A token that is present but wrong is an error, not a fall-back to the cookie.
 *
 * The result names what the connection depends on (session id, token id), so
 * that withdrawing it can close the connection (server/realtime/connections.ts),
 * and `revalidate` re-reads a batch of them for the periodic check.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Auth } from "./auth";
import type { HotStore } from "./store/hot";
import type { PrismaClient } from "./generated/prisma/client";
import type { Principal } from "./realtime/connections";
import type { Actor } from "./services/actor";
import { API_TOKEN_PREFIX, FEED_TOKEN_PREFIX, type TokenService } from "./services/tokens";

export type Credential =
  | { kind: "session"; actor: Actor; principal: Principal }
  | { kind: "api-token"; actor: Actor; principal: Principal }
  /** Read access to one room's feed. `principal.userId` is the member who made the token. */
  | { kind: "feed-token"; roomId: string; principal: Principal };

/** What a credential looks like to a handler that needs a user. */
export type UserCredential = Extract<Credential, { actor: Actor }>;

export interface CredentialRequest {
  headers: Headers;
  /** The query string, where a token may travel in it. */
  query?: URLSearchParams;
}

export interface ResolveOptions {
  /** Accept `?token=rat_…` (the /ws upgrade). */
  apiTokenInQuery?: boolean;
  /** Accept `?token=rft_…` (SSE feeds). */
  feedToken?: boolean;
}

export type Resolution = { ok: true; credential: Credential | null } | { ok: false; reason: "invalid_token" };

export interface Credentials {
  /** The request's credential; null when it carries none; an error when a token is present but not valid. */
  resolve(req: CredentialRequest, options?: ResolveOptions): Promise<Resolution>;
  /** The signed-in user behind a session cookie, or null (pages, /api/me). */
  sessionActor(headers: Headers): Promise<Actor | null>;
  /** The principals among these that no longer hold (expired, signed out, revoked, banned). */
  revalidate(principals: Principal[]): Promise<Principal[]>;
}

/** `Authorization: Bearer <token>` or null. */
export function bearerToken(headers: Headers): string | null {
  const value = headers.get("authorization");
  return value?.startsWith("Bearer ") ? value.slice(7).trim() : null;
}

/** `banned` is nullable: "not banned" must also match NULL, which `not: true` alone would not in SQL. */
const notBanned = { OR: [{ banned: false }, { banned: null }] };

/** A cookie's value as better-call reads it: the first of that name, quotes removed, URL-decoded. */
export function cookieValue(header: string, name: string): string | null {
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return null;
}

/** `value.signature` as better-call signs cookies (HMAC-SHA-256, base64): the value when the signature holds. */
export function verifiedCookie(signed: string, secret: string): string | null {
  const dot = signed.lastIndexOf(".");
  if (dot < 1) return null;
  const value = signed.slice(0, dot);
  const signature = signed.slice(dot + 1);
  if (signature.length !== 44 || !signature.endsWith("=")) return null;
  const given = Buffer.from(signature, "base64");
  const expected = createHmac("sha256", secret).update(value).digest();
  return given.length === expected.length && timingSafeEqual(given, expected) ? value : null;
}

export function createCredentials(deps: { auth: Auth; prisma: PrismaClient; tokens: TokenService; store: Pick<HotStore, "joinReads"> }): Credentials {
  const { auth, prisma, tokens, store } = deps;

  /**
   * The common case without better-auth's request machinery (about 1 ms of
   * CPU per handshake; a reconnect storm is thousands of them): its own
   * cookie name and signature checked here, the session and user read by one
   * prepared statement (SQLite). It only ever answers yes: a signed token
   * whose session is unexpired and not yet due for better-auth's refresh, of
   * a user not banned. Anything else (no such session, expiry, refresh,
   * "don't remember me", PostgreSQL) is left to auth.api.getSession, which
   * keeps its refresh and clean-up.
   */
  async function fastSession(cookie: string): Promise<UserCredential | null> {
    const reads = store.joinReads;
    if (!reads) return null;
    const context = await auth.$context;
    if (cookieValue(cookie, context.authCookies.dontRememberToken.name) !== null) return null;
    const signed = cookieValue(cookie, context.authCookies.sessionToken.name);
    const token = signed && verifiedCookie(signed, context.secret);
    if (!token) return null;
    const found = await reads.sessionByToken(token);
    if (!found || found.banned) return null;
    const now = Date.now();
    const { expiresIn, updateAge } = context.sessionConfig;
    const dueForRefresh = found.expiresAt.getTime() - expiresIn * 1000 + updateAge * 1000 <= now;
    if (found.expiresAt.getTime() <= now || dueForRefresh) return null;
    return {
      kind: "session",
      actor: { id: found.userId, name: found.name, role: found.role ?? "member", guest: found.isAnonymous === true },
      principal: { userId: found.userId, sessionId: found.id, expiresAt: found.expiresAt },
    };
  }

  async function session(headers: Headers): Promise<UserCredential | null> {
    const cookie = headers.get("cookie");
    if (!cookie) return null;
    const fast = await fastSession(cookie);
    if (fast) return fast;
    const found = await auth.api.getSession({ headers });
    if (!found) return null;
    const user = found.user as typeof found.user & { role?: string | null; isAnonymous?: boolean | null; banned?: boolean | null };
    if (user.banned) return null;
    const actor: Actor = { id: user.id, name: user.name, role: user.role ?? "member", guest: user.isAnonymous === true };
    return {
      kind: "session",
      actor,
      principal: { userId: user.id, sessionId: found.session.id, expiresAt: new Date(found.session.expiresAt) },
    };
  }

  return {
    async resolve(req, options = {}) {
      const bearer = bearerToken(req.headers);
      const queryToken = req.query?.get("token") ?? null;
      const apiToken = bearer ?? (options.apiTokenInQuery && queryToken?.startsWith(API_TOKEN_PREFIX) ? queryToken : null);
      if (apiToken) {
        const found = await tokens.verifyApiToken(apiToken);
        if (!found) return { ok: false, reason: "invalid_token" };
        return { ok: true, credential: { kind: "api-token", actor: found.actor, principal: { userId: found.actor.id, tokenId: found.tokenId, tokenKind: "api" } } };
      }
      if (options.feedToken && queryToken) {
        if (!queryToken.startsWith(FEED_TOKEN_PREFIX)) return { ok: false, reason: "invalid_token" };
        const found = await tokens.verifyFeedToken(queryToken);
        if (!found) return { ok: false, reason: "invalid_token" };
        return {
          ok: true,
          credential: { kind: "feed-token", roomId: found.roomId, principal: { userId: found.createdById, tokenId: found.tokenId, tokenKind: "feed" } },
        };
      }
      return { ok: true, credential: await session(req.headers) };
    },

    async sessionActor(headers) {
      return (await session(headers))?.actor ?? null;
    },

    async revalidate(principals) {
      const sessionIds = [...new Set(principals.flatMap((p) => (p.sessionId ? [p.sessionId] : [])))];
      const apiIds = [...new Set(principals.flatMap((p) => (p.tokenKind === "api" && p.tokenId ? [p.tokenId] : [])))];
      const feedIds = [...new Set(principals.flatMap((p) => (p.tokenKind === "feed" && p.tokenId ? [p.tokenId] : [])))];
      const now = new Date();
      const [sessions, apiTokens, feedTokens] = await Promise.all([
        sessionIds.length
          ? prisma.session.findMany({ where: { id: { in: sessionIds }, expiresAt: { gt: now }, user: notBanned }, select: { id: true } })
          : [],
        apiIds.length ? prisma.apiToken.findMany({ where: { id: { in: apiIds }, user: notBanned }, select: { id: true } }) : [],
        feedIds.length
          ? prisma.feedToken.findMany({ where: { id: { in: feedIds }, revokedAt: null, createdBy: notBanned }, select: { id: true } })
          : [],
      ]);
      const alive = new Set([...sessions, ...apiTokens, ...feedTokens].map((r) => r.id));
      return principals.filter((p) => {
        if (p.sessionId) return !alive.has(p.sessionId);
        if (p.tokenId) return !alive.has(p.tokenId);
        return false;
      });
    },
  };
}
