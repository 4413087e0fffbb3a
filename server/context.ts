/**
 * The process-wide registry. The custom server builds the context once and
 * stores it on globalThis; Next's bundles (pages, server components) read it
 * from there, so both share one Prisma client, one bus and one presence map
 * even though each bundle loads its own copy of our modules. Only types are
 * imported here, so importing this file pulls nothing heavy into a bundle.
 */
import type { Auth } from "./auth";
import type { Bus } from "./bus";
import type { Env } from "./env";
import type { Hub } from "./hub";
import type { PrismaClient } from "./generated/prisma/client";
import type { Actor } from "./services/actor";
import type { MessageService } from "./services/messages";
import type { PresenceService } from "./services/presence";
import type { RoomService } from "./services/rooms";
import type { TokenService } from "./services/tokens";
import type { BroadcastService } from "./services/broadcasts";
import type { ModerationService } from "./services/moderation";

export interface AppContext {
  env: Env;
  version: string;
  prisma: PrismaClient;
  bus: Bus;
  hub: Hub;
  auth: Auth;
  presence: PresenceService;
  rooms: RoomService;
  messages: MessageService;
  tokens: TokenService;
  broadcasts: BroadcastService;
  moderation: ModerationService;
}

const KEY = Symbol.for("relay-chat.context");
type Registry = { [KEY]?: AppContext };

export function setContext(ctx: AppContext | undefined): void {
  (globalThis as Registry)[KEY] = ctx;
}

export function getContext(): AppContext {
  const ctx = (globalThis as Registry)[KEY];
  if (!ctx) throw new Error("the app context is not initialised: start the app with `npm start` or `npm run dev`");
  return ctx;
}

/** The signed-in user behind a request's cookies, or null. */
export async function actorFromHeaders(auth: Auth, headers: Headers): Promise<Actor | null> {
  const session = await auth.api.getSession({ headers });
  if (!session) return null;
  const user = session.user as typeof session.user & { role?: string | null; isAnonymous?: boolean | null };
  return {
    id: user.id,
    name: user.name,
    role: user.role ?? "member",
    guest: user.isAnonymous === true,
  };
}
