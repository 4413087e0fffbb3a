/**
 * Identity: better-auth with its Prisma adapter and cookie sessions.
 *
 * - Registered accounts sign up with a username and password. better-auth's
 *   core insists on an email, which we never ask for, so a hook fills in a
 *   random placeholder address on the reserved .invalid domain.
 * - Guests join in one request: the anonymous plugin takes the display name
 *   from the same body.
 * - The first registered (non-guest) account becomes admin.
 * - Display names follow one rule (server/lib/names.ts) on every path that
 *   sets one: the user table's create and update hooks clean the name and
 *   refuse one somebody else holds, whichever endpoint is writing it.
 * - No baseURL is set: better-auth derives it from each request, so the app
 *   works at whatever address it is opened from, and that origin is trusted
 *   together with APP_ORIGIN.
 */
import { randomUUID } from "node:crypto";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { admin, anonymous, username } from "better-auth/plugins";
import { providerOf, type PrismaClient } from "./db";
import type { Env } from "./env";
import { cleanDisplayName, createNameRegistry } from "./lib/names";

/** Set by our HTTP adapter from the TCP peer, overwriting anything a client sent. */
export const CLIENT_IP_HEADER = "x-chat-client-ip";

export const ROLES = { admin: "admin", member: "member", guest: "guest" } as const;

/** A display name as stored, or a 400 naming what is wrong with it. */
function cleanOrRefuse(raw: unknown): string {
  const cleaned = cleanDisplayName(raw);
  if (!cleaned.ok) throw new APIError("BAD_REQUEST", { code: cleaned.code, message: cleaned.message });
  return cleaned.name;
}

/**
 * Whose row an update hook is writing. better-auth passes the endpoint, not
 * the row: /update-user writes the session's user, the admin plugin's routes
 * the body's userId (only admins reach them). Anything else: unknown.
 */
function updateTarget(ctx: unknown): string | undefined {
  const c = ctx as { path?: string; body?: { userId?: unknown }; context?: { session?: { user?: { id?: string } } | null } } | null;
  if (c?.path === "/update-user") return c.context?.session?.user?.id;
  if (c?.path?.startsWith("/admin/") && typeof c.body?.userId === "string") return c.body.userId;
  return undefined;
}

export function createAuth(deps: {
  prisma: PrismaClient;
  env: Env;
  secret: string;
  /** A session row was deleted by better-auth (sign-out, revocation, cleanup of an expired one). */
  onSessionEnded?: (sessionId: string) => void;
  /** Where sign-in limits are counted (Redis on a cluster, so they hold across nodes). */
  rateLimitStorage?: { consume(key: string, rule: { window: number; max: number }): Promise<{ allowed: boolean; retryAfter: number | null }> };
}) {
  const { prisma, env, secret, onSessionEnded, rateLimitStorage } = deps;
  const signInRule = { window: Math.ceil(env.RATE_SIGNIN_WINDOW_MS / 1000), max: env.RATE_SIGNIN_MAX };
  const names = createNameRegistry(prisma);

  /** Refuses with 409 a name (or username) somebody else holds; see server/lib/names.ts. */
  async function claim(input: Parameters<typeof names.claim>[0]) {
    const result = await names.claim(input);
    if (!result.ok) throw new APIError("CONFLICT", { code: result.code, message: result.message });
  }

  return betterAuth({
    appName: "Relay",
    secret,
    // The adapter words some queries per database (case-insensitive matches on PostgreSQL).
    database: prismaAdapter(prisma, { provider: providerOf(env.DATABASE_URL) }),
    trustedOrigins: env.APP_ORIGIN,
    emailAndPassword: {
      enabled: true,
      minPasswordLength: env.MIN_PASSWORD_LENGTH,
      maxPasswordLength: 128,
    },
    session: {
      expiresIn: 60 * 60 * 24 * 30, // a month: chat is a place you come back to
      updateAge: 60 * 60 * 24,
    },
    rateLimit: {
      enabled: true,
      ...(rateLimitStorage ? { customStorage: rateLimitStorage } : { storage: "memory" as const }),
      window: 10,
      max: 200,
      customRules: { "/sign-in/*": signInRule, "/sign-up/*": signInRule },
    },
    advanced: {
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    user: {
      additionalFields: {},
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-up/email") return;
        const body = (ctx.body ?? {}) as Record<string, unknown>;
        if (typeof body.username !== "string" || !body.username.trim()) {
          throw new APIError("BAD_REQUEST", { code: "USERNAME_REQUIRED", message: "Choose a username" });
        }
        if (!body.email) body.email = `${randomUUID()}@users.invalid`;
        if (!body.name) body.name = body.username;
      }),
    },
    databaseHooks: {
      session: {
        delete: {
          after: async (session) => {
            onSessionEnded?.(session.id);
          },
        },
      },
      user: {
        create: {
          before: async (user) => {
            const guest = (user as { isAnonymous?: boolean | null }).isAnonymous === true;
            const username = (user as { username?: string | null }).username;
            const name = cleanOrRefuse(user.name);
            await claim({ name, username, guest });
            if (guest) return { data: { ...user, name, role: ROLES.guest } };
            const registered = await prisma.user.count({ where: { NOT: { isAnonymous: true } } });
            return { data: { ...user, name, role: registered === 0 ? ROLES.admin : ROLES.member } };
          },
          after: async (user) => names.release(user.name, (user as { username?: string | null }).username),
        },
        update: {
          before: async (data, ctx) => {
            const username = (data as { username?: unknown }).username;
            if (data.name === undefined && typeof username !== "string") return;
            const name = data.name === undefined ? undefined : cleanOrRefuse(data.name);
            const selfId = updateTarget(ctx);
            const self = selfId ? await prisma.user.findUnique({ where: { id: selfId }, select: { isAnonymous: true } }) : null;
            // Unknown writer: checked as strictly as a guest, against everybody.
            await claim({ name, username: typeof username === "string" ? username : undefined, guest: self ? self.isAnonymous === true : true, selfId });
            return name === undefined ? undefined : { data: { ...data, name } };
          },
          after: async (user) => {
            if (user) names.release(user.name, (user as { username?: string | null }).username);
          },
        },
      },
    },
    plugins: [
      username({ minUsernameLength: 3, maxUsernameLength: 30 }),
      anonymous({
        // A guest who later registers keeps their old guest identity and its
        // messages instead of having them deleted.
        disableDeleteAnonymousUser: true,
        // Refused here already, before anything is written; the create hook
        // applies the same rule (and the uniqueness check) to every path.
        generateName: async (ctx) => cleanOrRefuse((ctx?.body as { name?: unknown } | undefined)?.name),
      }),
      admin({ defaultRole: ROLES.member, adminRoles: [ROLES.admin] }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
