/** Builds the domain services over their dependencies (store, bus, clock). */
import { createAuth } from "../auth";
import type { Bus } from "../bus";
import type { AppContext } from "../context";
import type { Env } from "../env";
import { createHub } from "../hub";
import type { PrismaClient } from "../generated/prisma/client";
import { createRateLimiter } from "../lib/rate-limit";
import { createMessageService } from "./messages";
import { createPresenceService } from "./presence";
import { createRoomService } from "./rooms";
import { createTokenService } from "./tokens";
import { createBroadcastService } from "./broadcasts";
import { createModerationService } from "./moderation";

export function createServices(deps: {
  env: Env;
  prisma: PrismaClient;
  bus: Bus;
  secret: string;
  version: string;
}): AppContext {
  const { env, prisma, bus } = deps;
  const presence = createPresenceService(bus);
  const rooms = createRoomService(prisma, presence);
  const moderation = createModerationService(prisma, bus);
  const messages = createMessageService({
    prisma,
    bus,
    rooms,
    moderation,
    limiter: createRateLimiter(env.RATE_MESSAGES_MAX, env.RATE_MESSAGES_WINDOW_MS),
  });
  const auth = createAuth({ prisma, env, secret: deps.secret });
  return { env, version: deps.version, prisma, bus, hub: createHub(), auth, presence, rooms, messages,
    tokens: createTokenService(prisma, rooms),
    broadcasts: createBroadcastService(prisma, bus),
    moderation,
  };
}
