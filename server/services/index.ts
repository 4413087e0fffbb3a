/**
 * Builds the domain services over their dependencies (store, bus, Redis,
 * clock). The result is what edges see: services only. The store and the bus
 * stay behind them, so "no Prisma in handlers" needs no reminder.
 */
import { createAuth } from "../auth";
import type { Bus } from "../bus";
import type { PresencePayload } from "../contract";
import type { AppContext } from "../context";
import { createCredentials } from "../credentials";
import type { Env } from "../env";
import type { PrismaClient } from "../generated/prisma/client";
import { authRateLimitStorage, createLimiter } from "../lib/limits";
import type { RedisConnections } from "../redis";
import { createAuditService } from "./audit";
import { createBroadcastService } from "./broadcasts";
import { createMentionService } from "./mentions";
import { createMessageService } from "./messages";
import { createModerationService } from "./moderation";
import { createAdminPolicy } from "./policy";
import { createPresenceService, type PresenceStore } from "./presence";
import { createReadService } from "./reads";
import { createIdentityService } from "./identity";
import { createJoinService } from "./joins";
import { createReactionService } from "./reactions";
import { createRoomService } from "./rooms";
import { createTokenService } from "./tokens";
import { createHotStore } from "../store/hot";
import { createDmService } from "./dms";
import { createSearchService } from "./search";

/** The services, before the parts that need Socket.IO and the HTTP server (streams, subscriptions, connections, health). */
export type DomainServices = Omit<AppContext, "subscriptions" | "connections" | "streams" | "health" | "inflight" | "proxy" | "feedCaps">;

export function createServices(deps: {
  env: Env;
  prisma: PrismaClient;
  bus: Bus;
  secret: string;
  version: string;
  nodeId: string;
  redis?: RedisConnections;
  presenceStore?: PresenceStore;
  /** Where presence deltas go to reach clients (the room streams, wired once they exist). */
  presenceEmit: (room: string, payload: PresencePayload) => void;
}): DomainServices {
  const { env, prisma, bus, redis } = deps;
  const admin = createAdminPolicy(prisma);
  const store = createHotStore(prisma);
  const presence = createPresenceService({ bus, nodeId: deps.nodeId, emit: deps.presenceEmit, store: deps.presenceStore });
  const rooms = createRoomService({
    prisma,
    store,
    bus,
    presence,
    isAdmin: (actor) => admin.isAdmin(actor),
    limiter: createLimiter("rooms", { points: env.RATE_ROOMS_MAX, windowMs: env.RATE_ROOMS_WINDOW_MS, message: "you are creating rooms too fast; wait a while" }, redis),
  });
  const moderation = createModerationService(prisma, store, bus, admin);
  // Sends and reactions share one budget per user: both are writes to the room log.
  const messageLimiter = createLimiter("messages", { points: env.RATE_MESSAGES_MAX, windowMs: env.RATE_MESSAGES_WINDOW_MS, message: "you are sending too fast; wait a moment" }, redis);
  const messages = createMessageService({
    prisma,
    store,
    bus,
    rooms,
    moderation,
    admin,
    limiter: messageLimiter,
    online: (room) => presence.online(room),
  });
  const dms = createDmService({
    prisma,
    bus,
    rooms,
    presence,
    limiter: createLimiter("reports", { points: 30, windowMs: 60 * 60_000, message: "you are reporting too often; wait a while" }, redis),
  });
  const reactions = createReactionService({ prisma, bus, rooms, moderation, limiter: messageLimiter });
  const tokens = createTokenService(
    prisma,
    bus,
    rooms,
    createLimiter("tokens", { points: env.RATE_TOKENS_MAX, windowMs: env.RATE_TOKENS_WINDOW_MS, message: "you are creating tokens too fast; wait a while" }, redis),
  );
  const broadcasts = createBroadcastService(prisma, bus, admin, store);
  const reads = createReadService({ prisma, store, bus, rooms, dms, moderation });
  const auth = createAuth({
    prisma,
    env,
    secret: deps.secret,
    rateLimitStorage: authRateLimitStorage(redis),
    // Sign-out and every other way a session ends (revocation, expiry clean-up)
    // close the connections opened with it, on every node.
    onSessionEnded: (sessionId) => bus.publish({ type: "revoke", room: "", scope: { sessionId }, reason: "signed_out" }),
  });
  return {
    env,
    version: deps.version,
    nodeId: deps.nodeId,
    auth,
    credentials: createCredentials({ auth, prisma, tokens, store }),
    admin,
    audit: createAuditService(prisma, admin),
    presence,
    rooms,
    messages,
    reactions,
    mentions: createMentionService({ prisma, rooms }),
    tokens,
    broadcasts,
    moderation,
    dms,
    search: createSearchService({ prisma, rooms, load: (ids) => messages.byIds(ids) }),
    reads,
    joins: createJoinService({ rooms, broadcasts, reads, presence }),
    identity: createIdentityService({ prisma, auth, minPasswordLength: env.MIN_PASSWORD_LENGTH }),
  };
}
