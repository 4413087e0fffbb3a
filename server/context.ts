/**
 * What the edges see, and the process-wide registry that hands it to Next.
 *
 * AppContext holds services only: no Prisma client, no bus. Handlers parse,
 * authorize and call a service; they cannot reach the store or publish, so
 * the layering needs no reminder.
 *
 * The custom server builds the context once and stores it on globalThis;
 * Next's bundles (pages, server components) read it from there, so both share
 * one set of services even though each bundle loads its own copy of our
 * modules. Only types are imported here, so importing this file pulls nothing
 * heavy into a bundle.
 */
import type { Auth } from "./auth";
import type { Credentials } from "./credentials";
import type { Env } from "./env";
import type { Health } from "./http/health";
import type { ProxyTrust } from "./http/forwarded";
import type { Caps } from "./lib/caps";
import type { Inflight } from "./lib/inflight";
import type { Connections } from "./realtime/connections";
import type { RoomStreams } from "./realtime/streams";
import type { Subscriptions } from "./realtime/subscription";
import type { AuditService } from "./services/audit";
import type { BroadcastService } from "./services/broadcasts";
import type { MentionService } from "./services/mentions";
import type { MessageService } from "./services/messages";
import type { ModerationService } from "./services/moderation";
import type { AdminPolicy } from "./services/policy";
import type { PresenceService } from "./services/presence";
import type { JoinService } from "./services/joins";
import type { ReadService } from "./services/reads";
import type { IdentityService } from "./services/identity";
import type { ReactionService } from "./services/reactions";
import type { RoomService } from "./services/rooms";
import type { TokenService } from "./services/tokens";
import type { DmService } from "./services/dms";
import type { SearchService } from "./services/search";

export interface AppContext {
  env: Env;
  version: string;
  /** Names this process (the operations view, /metrics, /api/health). */
  nodeId: string;
  health: Health;
  /** better-auth: its own routes under /api/auth/*. Edges use `credentials` to know who is asking. */
  auth: Auth;
  credentials: Credentials;
  admin: AdminPolicy;
  audit: AuditService;
  presence: PresenceService;
  rooms: RoomService;
  messages: MessageService;
  reactions: ReactionService;
  mentions: MentionService;
  tokens: TokenService;
  broadcasts: BroadcastService;
  moderation: ModerationService;
  /** Direct messages, the block list, message reports. */
  dms: DmService;
  search: SearchService;
  /** Read positions, per-room settings, unread and mention counts. */
  reads: ReadService;
  /** What a room join answers, on Socket.IO and /ws alike. */
  joins: JoinService;
  /** A guest becoming an account, in place. */
  identity: IdentityService;
  /** The room-subscription core: every transport's replay-to-live hand-over. */
  subscriptions: Subscriptions;
  /** This node's room streams (ordered, gapless room logs). */
  streams: RoomStreams;
  /** Every open connection and the credential it stands on. */
  connections: Connections;
  /** Who is asking and at which origin, believing forwarded headers only from trusted proxies. */
  proxy: ProxyTrust;
  /** SSE streams open on this node, per client address and in total. */
  feedCaps: Caps;
  /** Socket events and /ws frames being handled (a shutdown lets them finish). */
  inflight: Inflight;
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
