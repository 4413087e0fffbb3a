/**
 * The wire contract, v1: every payload that crosses the network, typed once and
 * shared by the server and the browser. Zod schemas validate what clients send;
 * the TypeScript types describe what the server sends back. docs/protocol.md is
 * the prose version of this file and uses the same names.
 */
import { z } from "zod";
import { MAX_NAME, cleanDisplayName, type NameErrorCode } from "./lib/names";
import { NOT_WELL_FORMED, codePoints, isWellFormed } from "./lib/unicode";

// Zod compiles object parsers with `new Function` when it may, and probes for
// that when a schema is built. Pages run under a CSP without 'unsafe-eval'
// (server/http/security.ts), where the probe is reported as a violation; the
// browser parses nothing hot, so it goes without. Set before any schema below.
if (typeof window !== "undefined") z.config({ jitless: true });

/** Longest message body, counted in characters (code points) after trimming. */
export const MAX_BODY = 4000;
/** Longest broadcast text, in characters (code points) after trimming: a banner, not an article. */
export const MAX_BROADCAST = 2000;
/** Messages returned when a room is opened, and the default history page. */
export const HISTORY_PAGE = 50;
/** Largest page a client may ask for over HTTP. */
export const MAX_HISTORY_PAGE = 200;
/**
 * Most log events one resume answer carries. A client away for a day does not
 * make the server load everything at once: it gets a page with `more: true`
 * and asks again from the last seq it received.
 */
export const REPLAY_PAGE = 500;
/** Longest a long-poll request may be held, in seconds. */
export const MAX_WAIT_S = 30;

export const ERROR_CODES = [
  "invalid",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "rate_limited",
  "too_large",
  "unavailable",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
/**
 * Every reason an error can carry, with the code it belongs to. `code` is the
 * coarse, stable category (it decides the HTTP status; scripts branch on it);
 * `reason` is the precise cause, the key the UI's catalog renders (errors.<reason>
 * in components/i18n/messages/*.json), with `params` filling its placeholders.
 * Each code is also the generic reason of its own category. A test fails when a
 * reason here has no entry in either language's catalog.
 */
export const ERROR_REASONS = {
  invalid: "invalid",
  required: "invalid",
  too_long: "invalid",
  too_short: "invalid",
  message_empty: "invalid",
  bad_json: "invalid",
  bad_path_encoding: "invalid",
  method_not_allowed: "invalid",
  unknown_frame: "invalid",
  cannot_ban_self: "invalid",
  expires_in_past: "invalid",
  public_room_feed: "invalid",
  public_room_members: "invalid",
  public_room_invite: "invalid",
  name_invisible: "invalid",
  name_invalid: "invalid",
  unauthorized: "unauthorized",
  sign_in_required: "unauthorized",
  invalid_token: "unauthorized",
  token_revoked: "unauthorized",
  session_ended: "unauthorized",
  forbidden: "forbidden",
  admins_only: "forbidden",
  cross_origin: "forbidden",
  banned: "forbidden",
  dm_blocked: "forbidden",
  read_only: "forbidden",
  muted: "forbidden",
  guest_no_tokens: "forbidden",
  not_author: "forbidden",
  not_author_or_admin: "forbidden",
  not_owner_or_admin: "forbidden",
  not_found: "not_found",
  no_room: "not_found",
  no_user: "not_found",
  no_message: "not_found",
  no_token: "not_found",
  no_broadcast: "not_found",
  not_member: "not_found",
  removed: "not_found",
  no_feed: "not_found",
  no_route: "not_found",
  conflict: "conflict",
  room_name_taken: "conflict",
  client_id_reused: "conflict",
  rate_limited: "rate_limited",
  too_many_waiters: "rate_limited",
  too_many_frames: "rate_limited",
  too_many_feeds: "rate_limited",
  too_large: "too_large",
  message_too_long: "too_large",
  body_too_large: "too_large",
  unavailable: "unavailable",
  restarting: "unavailable",
  request_closed: "unavailable",
  server_full: "unavailable",
} as const satisfies Record<string, ErrorCode>;
export type ErrorReason = keyof typeof ERROR_REASONS;
/** Values for the catalog's placeholders: names, limits, times as ISO 8601 strings. */
export type ErrorParams = Record<string, string | number>;

/** An error as the server sends it: reason and params always present. */
export type ServerError = WireError & { reason: ErrorReason; params: ErrorParams };

export interface WireError {
  code: ErrorCode;
  /** English, for scripts and logs; the UI renders `reason` with `params` from its catalog. */
  message: string;
  /**
   * The precise reason within the code, e.g. "muted" within "forbidden" (see
   * ERROR_REASONS). Always sent by the server (server/errors.ts wireError);
   * optional in this type only so a client can describe its own failures
   * (a timeout) with the same shape.
   */
  reason?: ErrorReason;
  /** The catalog message's values, e.g. { room, until } for "muted", { field, max } for "too_long". Always sent by the server. */
  params?: ErrorParams;
  /** rate_limited: milliseconds to wait before trying again (also `params.seconds`). */
  retryAfter?: number;
}

/** Every acknowledgement is a success/error union. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: WireError };
export type AckFn<T extends object = object> = (ack: Ack<T>) => void;

export interface UserRef {
  id: string;
  name: string;
  /** Signed in without an account. Every place that shows a name marks guests, so nobody passes for a member. */
  guest: boolean;
}

/** Longest reply excerpt, in characters (code points). */
export const REPLY_EXCERPT = 140;

/** One emoji's reactions on a message: how many, and the first REACTION_USERS (20) user ids in the order they reacted. */
export interface Reaction {
  emoji: string;
  count: number;
  users: string[];
}

/** The message a reply answers, as it is now: an edit changes the excerpt, a deletion empties it. */
export interface ReplyRef {
  id: string;
  seq: number;
  author: { id: string; name: string };
  /** The original's first REPLY_EXCERPT characters, on one line; "" once it is deleted. */
  excerpt: string;
  /** Set once the original is deleted: show a placeholder. */
  deleted?: true;
}

export interface Message {
  id: string;
  room: string;
  seq: number;
  clientId: string;
  body: string;
  author: UserRef;
  createdAt: string;
  /** When the author last edited it, or null. */
  editedAt: string | null;
  /** Ids of the users the body mentions, parsed by the server (`@here`: everyone online in the room when it was sent). */
  mentions: string[];
  /** The message this one answers. */
  replyTo?: ReplyRef;
  /** Reactions, in the order each emoji was first used. */
  reactions: Reaction[];
}

export interface MessageUpdated {
  room: string;
  id: string;
  seq: number;
  message: Message;
}
export interface MessageDeleted {
  room: string;
  id: string;
  seq: number;
}
/** A reaction was toggled: the message's reactions as they are after it. */
export interface MessageReactions {
  room: string;
  id: string;
  seq: number;
  reactions: Reaction[];
}

export const BROADCAST_LEVELS = ["info", "warning", "critical"] as const;
export type BroadcastLevel = (typeof BROADCAST_LEVELS)[number];

/** An admin's announcement, as clients see it. `room` null means every room. */
export interface Broadcast {
  id: string;
  text: string;
  level: BroadcastLevel;
  room: string | null;
  createdAt: string;
  expiresAt: string | null;
}

/** A live broadcast, as one room's log event: an all-rooms broadcast comes once per room, each with that room's seq. */
export interface BroadcastDelivery {
  room: string;
  seq: number;
  broadcast: Broadcast;
}
export interface BroadcastRetracted {
  room: string;
  seq: number;
  id: string;
}

/** Every action the audit log records; its filter offers exactly these. */
export const AUDIT_ACTIONS = [
  "broadcast.send",
  "broadcast.retract",
  "message.delete",
  "message.report",
  "user.mute",
  "user.unmute",
  "user.ban",
  "user.unban",
  "room.lock",
  "room.unlock",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Why the server is closing a connection (or one room's subscription) on its own. */
export const REVOKE_REASONS = ["banned", "signed_out", "token_revoked", "removed"] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

/**
 * One event of the room log, as replayed to a resuming client. Message events
 * carry the message as it is now (an edited body), and a message deleted
 * since is replayed only as its deletion, so nothing removed ever resurfaces.
 */
export type LogEntry =
  | { type: "message"; seq: number; message: Message }
  | { type: "message:updated"; seq: number; message: Message }
  | { type: "message:deleted"; seq: number; room: string; id: string }
  | { type: "message:reactions"; seq: number; room: string; id: string; reactions: Reaction[] }
  | { type: "broadcast"; seq: number; broadcast: Broadcast }
  | { type: "broadcast:retracted"; seq: number; id: string };

export type Visibility = "public" | "private";

export interface RoomSummary {
  slug: string;
  name: string;
  topic: string | null;
  visibility: Visibility;
  /** "dm": a direct message between two users (GET /api/dms); `name` is then the other person's name. */
  kind: "room" | "dm";
  /** Only admins may post (an admin locked it). */
  readOnly: boolean;
  /** A DM's other member. */
  peer?: { id: string; name: string };
  online: number;
  lastMessage: { body: string; author: string; guest: boolean; createdAt: string } | null;
}

/** What a room list entry is: a room, or (when direct messages exist) a conversation. */
export type RoomKind = "room" | "dm";

/** A room as one user sees it in their list (GET /api/rooms, `rooms:watch`): with their read state. */
export interface RoomEntry extends RoomSummary {
  kind: RoomKind;
  /** The log seq this user has read up to (0: nothing yet). */
  lastReadSeq: number;
  /** The room log's head. */
  lastSeq: number;
  /** Messages after lastReadSeq, not by this user and not deleted. */
  unread: number;
  /** Those of the unread that mention this user. */
  mentions: number;
  /** This user muted the room: no notifications, shown muted. */
  muted: boolean;
}

/** Read position of one room, sent back to every connection of the user who read. */
export interface RoomRead {
  room: string;
  seq: number;
}

/** A user's own settings for a room, sent to all of their connections when changed. */
export interface RoomSettings {
  room: string;
  muted: boolean;
}

/**
 * A new message in a room the connection watches (`rooms:watch`), for unread
 * counts and notifications. A hint: counts are corrected by GET /api/rooms.
 */
export interface RoomActivity {
  room: string;
  seq: number;
  author: UserRef;
  /** The first 140 characters, for a notification. */
  preview: string;
  /** User ids mentioned, when the message carries them; otherwise the client matches `@name` in `preview`. */
  mentions?: string[];
  createdAt: string;
}

/** Whether the joining user may post in the room now, and if not, why (the composer says so). */
export type PostingState =
  | { allowed: true }
  | { allowed: false; reason: "muted"; until: string }
  | { allowed: false; reason: "read_only" | "banned" | "dm_blocked" };

/**
 * A change of who is online in a room: users who came (their first
 * connection anywhere) and ids of users who went (their last), and how many
 * are online now. A join's answer carries the list (or, in a crowd, its
 * first ONLINE_LIST_MAX names) and the total; these deltas keep both current.
 */
export interface PresencePayload {
  room: string;
  joined: UserRef[];
  left: string[];
  /** Everyone online in the room after this change. */
  count: number;
}
export interface TypingPayload {
  room: string;
  user: UserRef;
  typing: boolean;
}

// ---- Client -> server payload schemas -------------------------------------

/**
 * Every free text a client sends (message bodies and edits, broadcasts, room
 * names and topics, display names, token labels, ban reasons) is a `text()`:
 * a string of well-formed Unicode. A lone surrogate is refused with
 * `invalid`, never stored: SQLite would replace it with U+FFFD and the text
 * would silently change.
 */
export const text = () => z.string().refine(isWellFormed, NOT_WELL_FORMED);

/** How a display-name refusal is told: the catalog's reason and its values. */
const NAME_ERROR_PARAMS: Record<NameErrorCode, { reason: ErrorReason; field: string; max?: number }> = {
  NAME_REQUIRED: { reason: "required", field: "name" },
  NAME_TOO_LONG: { reason: "too_long", field: "name", max: MAX_NAME },
  NAME_INVISIBLE: { reason: "name_invisible", field: "name" },
  NAME_INVALID: { reason: "name_invalid", field: "name" },
};

/** A display name, cleaned by the one rule in server/lib/names.ts (the user table's hooks apply it again). */
export const displayNameSchema = z.string().transform((raw, ctx) => {
  const cleaned = cleanDisplayName(raw);
  if (cleaned.ok) return cleaned.name;
  ctx.addIssue({ code: "custom", message: cleaned.message, params: NAME_ERROR_PARAMS[cleaned.code] });
  return z.NEVER;
});

/**
 * A room's address: lower-case letters and digits of any script, joined by
 * single dashes ("general", "设计评审"). It travels percent-encoded in URLs
 * and is stored NFC-normalized (server/lib/slug.ts).
 */
export const SLUG_PATTERN = /^[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]+(?:-[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]+)*$/u;
export const slugSchema = z
  .string()
  .trim()
  .transform((s) => s.normalize("NFC").toLowerCase())
  .pipe(z.string().min(1).max(64).regex(SLUG_PATTERN, "not a room slug"));

export const seqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Identifies one incarnation of a room's log (changes if the database is reset). */
export const epochSchema = z.string().min(1).max(64);

export const joinSchema = z.object({ room: slugSchema, after: seqSchema.optional(), epoch: epochSchema.optional() });
export const leaveSchema = z.object({ room: slugSchema });
/** Marks a room read up to `seq` (clamped to the log's head; never moves backwards). */
export const readSchema = z.object({ room: slugSchema, seq: seqSchema });
export const readBodySchema = z.object({ seq: seqSchema });
export const roomSettingsSchema = z.object({ muted: z.boolean() });
export const typingSchema = z.object({ room: slugSchema, typing: z.boolean() });
/**
 * The body is validated in the message service (trim, empty, too long) so that
 * every transport gets the same codes; here it only has to be a string.
 */
export const messageIdSchema = z.string().min(1).max(64);
export const sendSchema = z.object({
  room: slugSchema,
  clientId: z.uuid(),
  body: text().max(MAX_BODY * 4),
  /** The id of the message this one answers, in the same room. */
  replyTo: messageIdSchema.optional(),
});

/** Longest display name, in characters (code points). */
export { MAX_NAME };
/** Longest room name and topic, in characters (code points) after trimming. Longer ones are refused, never cut. */
export const MAX_ROOM_NAME = 48;
export const MAX_TOPIC = 200;
/** A string of at most `max` code points (an emoji or a CJK extension character counts once). */
const maxChars = (max: number, field: string) =>
  (s: string, ctx: z.RefinementCtx) => {
    if (codePoints(s) > max) ctx.addIssue({ code: "custom", message: `${field} is at most ${max} characters`, params: { reason: "too_long", field, max } });
  };

export const createRoomSchema = z.object({
  name: text().trim().min(1, "name is required").superRefine(maxChars(MAX_ROOM_NAME, "name")),
  topic: text()
    .trim()
    .superRefine(maxChars(MAX_TOPIC, "topic"))
    .optional()
    .transform((t) => (t ? t : undefined)),
  visibility: z.enum(["public", "private"]).default("public"),
});

export const addMemberSchema = z.object({
  username: text().trim().min(1, "username is required").max(30),
});

/** Long-poll: `after` is the cursor; `wait` holds the request up to that many seconds. */
export const pollQuerySchema = z.object({
  after: z.coerce.number().int().min(0),
  epoch: epochSchema.optional(),
  wait: z.coerce.number().min(0).max(MAX_WAIT_S).default(0),
});

export const editSchema = z.object({ room: slugSchema, id: z.string().min(1).max(64), body: text().max(MAX_BODY * 4) });
export const deleteSchema = z.object({ room: slugSchema, id: z.string().min(1).max(64) });
export const patchMessageSchema = z.object({ body: text().max(MAX_BODY * 4) });

export const broadcastSchema = z.object({
  text: text()
    .trim()
    .min(1, "text is required")
    .superRefine(maxChars(MAX_BROADCAST, "text")),
  level: z.enum(BROADCAST_LEVELS),
  room: slugSchema.nullish(),
  expiresAt: z.iso.datetime({ offset: true }).nullish(),
});
export const broadcastAckSchema = z.object({ id: z.string().min(1).max(64) });

export const postMessageSchema = z.object({ clientId: z.uuid(), body: text().max(MAX_BODY * 4), replyTo: messageIdSchema.optional() });

export const historyQuerySchema = z.object({
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).default(HISTORY_PAGE),
});

/** `reaction:toggle`; the emoji is checked in the reactions service (exactly one emoji grapheme). */
export const reactionToggleRequestSchema = z.object({ room: slugSchema, id: messageIdSchema, emoji: z.string().max(128) });
export const postReactionSchema = z.object({ emoji: z.string().max(128) });

/** The guest join body (POST /api/auth/sign-in/anonymous). */
export const guestSchema = z.object({ name: displayNameSchema });

export type JoinRequest = z.input<typeof joinSchema>;
export type SendRequest = z.input<typeof sendSchema>;

/**
 * What a client needs to (re)open a room. Without a cursor: the newest page.
 * With a cursor (`after`, optionally `epoch`): every event after it, at most
 * REPLAY_PAGE at a time (`more` says another page waits). When the cursor
 * cannot be honoured (ahead of the log's head, or from another epoch) the
 * answer has `reset: true` and carries the newest page instead: the client
 * must drop what it has and start over from this answer.
 */
export interface LogPage {
  /** New messages in this page (the "message" entries of `events`, deleted ones left out). */
  messages: Message[];
  /** Every log event of this page, in seq order (empty for a newest-page answer). */
  events: LogEntry[];
  /** The room log's head (highest seq) when this page was read. */
  head: number;
  epoch: string;
  more: boolean;
  /**
   * Where the next page starts: the seq of the last log row this page read.
   * Page with it, not with the last event shown: rows whose message was
   * deleted since are read but not shown.
   */
  next: number;
  reset?: true;
}

export interface JoinResult extends LogPage {
  room: RoomSummary;
  /**
   * Who is online, by name: everyone, or in a room of more than
   * ONLINE_LIST_MAX (100) the first 100 and the joiner. `onlineCount` is the total.
   */
  online: UserRef[];
  onlineCount: number;
  /** Every active (unexpired, unretracted) broadcast for this room. */
  broadcasts: Broadcast[];
  /** The server's clock when it answered (ISO): clients correct relative times by the offset. */
  serverTime: string;
  /** The joining user's read position in this room when they joined. */
  lastReadSeq: number;
  /** Whether the joining user may post now. */
  posting: PostingState;
}

// ---- Socket.IO event maps ---------------------------------------------------

export interface ClientToServerEvents {
  "room:join": (req: JoinRequest, ack: AckFn<JoinResult>) => void;
  "room:leave": (req: { room: string }, ack: AckFn) => void;
  "message:send": (req: SendRequest, ack: AckFn<{ message: Message }>) => void;
  "message:edit": (req: z.input<typeof editSchema>, ack: AckFn<{ message: Message }>) => void;
  "message:delete": (req: z.input<typeof deleteSchema>, ack: AckFn) => void;
  /** Adds the user's reaction with this emoji, or removes it. */
  "reaction:toggle": (req: z.input<typeof reactionToggleRequestSchema>, ack: AckFn<{ reactions: Reaction[] }>) => void;
  "admin:broadcast": (req: z.input<typeof broadcastSchema>, ack: AckFn<{ broadcast: Broadcast }>) => void;
  /** Receipt of a broadcast, for the admin's delivery accounting. */
  "broadcast:ack": (req: { id: string }) => void;
  typing: (req: { room: string; typing: boolean }) => void;
  /** Marks a room read; the effective position comes back and goes to the user's other connections. */
  "room:read": (req: RoomRead, ack: AckFn<RoomRead>) => void;
  /** Follows activity in every room the user can read (unread counts); answers with the list. */
  "rooms:watch": (req: object, ack: AckFn<{ rooms: RoomEntry[]; serverTime: string }>) => void;
  /** Answers at once with the server's clock: /diagnostics measures the round trip with it. The payload is ignored. */
  "diagnostics:ping": (req: object, ack: AckFn<{ now: number }>) => void;
}

export interface ServerToClientEvents {
  "message:new": (message: Message) => void;
  "message:updated": (payload: MessageUpdated) => void;
  "message:deleted": (payload: MessageDeleted) => void;
  "message:reactions": (payload: MessageReactions) => void;
  broadcast: (payload: BroadcastDelivery) => void;
  "broadcast:retracted": (payload: BroadcastRetracted) => void;
  presence: (payload: PresencePayload) => void;
  typing: (payload: TypingPayload) => void;
  /**
   * The credential or permission this connection stood on was withdrawn. With
   * `room`, only that room's subscription ended (removed from a private room);
   * without, the server disconnects the socket right after: sign in again.
   */
  revoked: (payload: { reason: RevokeReason; room?: string }) => void;
  /** This user read a room on some connection (this one included). */
  "room:read": (payload: RoomRead) => void;
  /** This user changed a room setting (mute) on some connection. */
  "room:settings": (payload: RoomSettings) => void;
  /** This user's room list changed (someone opened a DM with them): watch again. */
  "rooms:changed": (payload: { room: string }) => void;
  /** A new message in a watched room. */
  "room:activity": (payload: RoomActivity) => void;
}

// ---- Native WebSocket (/ws) frames -------------------------------------------
// The same operations as the Socket.IO events above, as JSON text frames
// `{ type, id?, ...payload }`. A request's `id` (chosen by the client) comes
// back on its reply, which carries the same Ack union. docs/ws.md is the prose
// version.

/** Client-chosen correlation id, echoed on the reply. */
export const wsIdSchema = z.union([z.string().max(64), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]);
export type WsId = z.infer<typeof wsIdSchema>;

export const WS_REQUEST_TYPES = ["room:join", "room:leave", "message:send", "message:edit", "message:delete", "reaction:toggle", "typing", "broadcast:ack", "room:read"] as const;
export type WsRequestType = (typeof WS_REQUEST_TYPES)[number];

/** Read first, so that an unknown type and a bad payload get different answers. */
export const wsEnvelopeSchema = z.object({ type: z.string().max(64), id: wsIdSchema.optional() });

export const wsClientFrameSchema = z.discriminatedUnion("type", [
  joinSchema.extend({ type: z.literal("room:join"), id: wsIdSchema.optional() }),
  leaveSchema.extend({ type: z.literal("room:leave"), id: wsIdSchema.optional() }),
  sendSchema.extend({ type: z.literal("message:send"), id: wsIdSchema.optional() }),
  // `id` is the frame's correlation id here, so the message is `messageId`.
  z.object({ type: z.literal("message:edit"), id: wsIdSchema.optional(), room: slugSchema, messageId: z.string().min(1).max(64), body: text().max(MAX_BODY * 4) }),
  z.object({ type: z.literal("message:delete"), id: wsIdSchema.optional(), room: slugSchema, messageId: z.string().min(1).max(64) }),
  z.object({ type: z.literal("reaction:toggle"), id: wsIdSchema.optional(), room: slugSchema, messageId: messageIdSchema, emoji: z.string().max(128) }),
  typingSchema.extend({ type: z.literal("typing"), id: wsIdSchema.optional() }),
  // Receipt of a live broadcast (delivery accounting); `id` is the frame's correlation id.
  z.object({ type: z.literal("broadcast:ack"), id: wsIdSchema.optional(), broadcastId: z.string().min(1).max(64) }),
  readSchema.extend({ type: z.literal("room:read"), id: wsIdSchema.optional() }),
]);
export type WsClientFrame = z.input<typeof wsClientFrameSchema>;

/** What each request's successful reply carries besides `type`, `id` and `ok`. */
export interface WsReplies {
  "room:join": JoinResult;
  "room:leave": object;
  "message:send": { message: Message };
  "message:edit": { message: Message };
  "message:delete": object;
  "reaction:toggle": { reactions: Reaction[] };
  "broadcast:ack": object;
  "room:read": RoomRead;
}
export type WsReplyFrame<T extends object = object> = { type: "reply"; id?: WsId } & Ack<T>;

export type WsServerFrame =
  | WsReplyFrame<WsReplies[keyof WsReplies]>
  /** A frame that could not be read (not JSON, unknown type, too many pending). */
  | { type: "error"; id?: WsId; error: WireError }
  | { type: "message:new"; message: Message }
  | ({ type: "message:updated" } & MessageUpdated)
  | ({ type: "message:deleted" } & MessageDeleted)
  | ({ type: "message:reactions" } & MessageReactions)
  | ({ type: "broadcast" } & BroadcastDelivery)
  | ({ type: "broadcast:retracted" } & BroadcastRetracted)
  | ({ type: "presence" } & PresencePayload)
  | ({ type: "typing" } & TypingPayload)
  /** A room's subscription ended because the user was removed from it (the connection stays open). */
  | { type: "revoked"; reason: RevokeReason; room: string }
  /** This user read a room on another connection (or this one). */
  | ({ type: "room:read" } & RoomRead)
  | ({ type: "room:settings" } & RoomSettings)
  | { type: "rooms:changed"; room: string };
