/**
 * Builds the domain services over their dependencies (store, bus, clock).
 * The result is what edges see: services only. The store and the bus stay
 * behind them, so "no Prisma in handlers" needs no reminder.
 */
import { createAuth } from "../auth";
import type { Bus } from "../bus";
import type { AppContext } from "../context";
import { createCredentials } from "../credentials";
import type { Env } from "../env";
import type { PrismaClient } from "../generated/prisma/client";
import { createRateLimiter } from "../lib/rate-limit";
import { createAuditService } from "./audit";
import { createBroadcastService } from "./broadcasts";
import { createMessageService } from "./messages";
import { createModerationService } from "./moderation";
import { createAdminPolicy } from "./policy";
import { createPresenceService } from "./presence";
import { createRoomService } from "./rooms";
import { createTokenService } from "./tokens";

/** The services, before the realtime parts (streams, subscriptions, connections) that need Socket.IO are added. */
export type DomainServices = Omit<AppContext, "subscriptions" | "connections" | "streams" | "health">;

export function createServices(deps: { env: Env; prisma: PrismaClient; bus: Bus; secret: string; version: string; nodeId: string }): DomainServices {
  const { env, prisma, bus } = deps;
  const admin = createAdminPolicy(prisma);
  const presence = createPresenceService(bus);
  const rooms = createRoomService({ prisma, bus, presence, isAdmin: (actor) => admin.isAdmin(actor) });
  const moderation = createModerationService(prisma, bus, admin);
  const messages = createMessageService({
    prisma,
    bus,
    rooms,
    moderation,
    admin,
    limiter: createRateLimiter(env.RATE_MESSAGES_MAX, env.RATE_MESSAGES_WINDOW_MS),
  });
  const tokens = createTokenService(prisma, bus, rooms);
  const auth = createAuth({
    prisma,
    env,
    secret: deps.secret,
    // Sign-out and every other way a session ends (revocation, expiry clean-up)
    // close the connections opened with it, on every node.
    onSessionEnded: (sessionId) => bus.publish({ type: "revoke", room: "", scope: { sessionId }, reason: "signed_out" }),
  });
  return {
    env,
    version: deps.version,
    nodeId: deps.nodeId,
    auth,
    credentials: createCredentials({ auth, prisma, tokens }),
    admin,
    audit: createAuditService(prisma, admin),
    presence,
    rooms,
    messages,
    tokens,
    broadcasts: createBroadcastService(prisma, bus, admin),
    moderation,
  };
}
