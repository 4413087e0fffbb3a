/**
 * Identity: better-auth with its Prisma adapter and cookie sessions.
 *
 * - Registered accounts sign up with a username and password. better-auth's
 *   core insists on an email, which we never ask for, so a hook fills in a
 *   random placeholder address on the reserved .invalid domain.
 * - Guests join in one request: the anonymous plugin takes the display name
 *   from the same body.
 * - The first registered (non-guest) account becomes admin.
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
import { guestSchema } from "./contract";
import type { Env } from "./env";
import { zodMessage } from "./errors";

/** Set by our HTTP adapter from the TCP peer, overwriting anything a client sent. */
export const CLIENT_IP_HEADER = "x-chat-client-ip";

export const ROLES = { admin: "admin", member: "member", guest: "guest" } as const;

export function createAuth(deps: { prisma: PrismaClient; env: Env; secret: string }) {
  const { prisma, env, secret } = deps;
  const signInRule = { window: Math.ceil(env.RATE_SIGNIN_WINDOW_MS / 1000), max: env.RATE_SIGNIN_MAX };

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
      storage: "memory",
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
      user: {
        create: {
          before: async (user) => {
            if (user.isAnonymous === true) return { data: { ...user, role: ROLES.guest } };
            const registered = await prisma.user.count({ where: { NOT: { isAnonymous: true } } });
            return { data: { ...user, role: registered === 0 ? ROLES.admin : ROLES.member } };
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
        generateName: async (ctx) => {
          const parsed = guestSchema.safeParse(ctx?.body ?? {});
          if (!parsed.success) {
            throw new APIError("BAD_REQUEST", { code: "INVALID_NAME", message: zodMessage(parsed.error) });
          }
          return parsed.data.name;
        },
      }),
      admin({ defaultRole: ROLES.member, adminRoles: [ROLES.admin] }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
