/**
 * The wire contract, v1: every payload that crosses the network, typed once and
 * shared by the server and the browser. Zod schemas validate what clients send;
 * the TypeScript types describe what the server sends back. docs/protocol.md is
 * the prose version of this file and uses the same names.
 */
import { z } from "zod";

/** Longest message body, counted in characters after trimming. */
export const MAX_BODY = 4000;
/** Messages returned when a room is opened, and the default history page. */
export const HISTORY_PAGE = 50;
/** Largest page a client may ask for over HTTP. */
export const MAX_HISTORY_PAGE = 200;

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
export interface WireError {
  code: ErrorCode;
  message: string;
}

/** Every acknowledgement is a success/error union. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: WireError };
export type AckFn<T extends object = object> = (ack: Ack<T>) => void;

export interface UserRef {
  id: string;
  name: string;
}

export interface Message {
  id: string;
  room: string;
  seq: number;
  clientId: string;
  body: string;
  author: UserRef;
  createdAt: string;
}

export type Visibility = "public" | "private";

export interface RoomSummary {
  slug: string;
  name: string;
  topic: string | null;
  visibility: Visibility;
  online: number;
  lastMessage: { body: string; author: string; createdAt: string } | null;
}

export interface PresencePayload {
  room: string;
  online: UserRef[];
}
export interface TypingPayload {
  room: string;
  user: UserRef;
  typing: boolean;
}

// ---- Client -> server payload schemas -------------------------------------

export const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "not a room slug");

export const seqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const joinSchema = z.object({ room: slugSchema, after: seqSchema.optional() });
export const leaveSchema = z.object({ room: slugSchema });
export const typingSchema = z.object({ room: slugSchema, typing: z.boolean() });
/**
 * The body is validated in the message service (trim, empty, too long) so that
 * every transport gets the same codes; here it only has to be a string.
 */
export const sendSchema = z.object({
  room: slugSchema,
  clientId: z.uuid(),
  body: z.string().max(MAX_BODY * 4),
});

export const createRoomSchema = z.object({
  name: z.string().trim().min(1, "name is required").max(48, "name is at most 48 characters"),
  topic: z
    .string()
    .trim()
    .max(200, "topic is at most 200 characters")
    .optional()
    .transform((t) => (t ? t : undefined)),
  visibility: z.enum(["public", "private"]).default("public"),
});

export const addMemberSchema = z.object({
  username: z.string().trim().min(1, "username is required").max(30),
});

export const historyQuerySchema = z.object({
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).default(HISTORY_PAGE),
});

export const guestSchema = z.object({
  name: z.string().trim().min(1, "name is required").max(32, "name is at most 32 characters"),
});

export type JoinRequest = z.input<typeof joinSchema>;
export type SendRequest = z.input<typeof sendSchema>;

export interface JoinResult {
  room: RoomSummary;
  messages: Message[];
  online: UserRef[];
}

// ---- Socket.IO event maps ---------------------------------------------------

export interface ClientToServerEvents {
  "room:join": (req: JoinRequest, ack: AckFn<JoinResult>) => void;
  "room:leave": (req: { room: string }, ack: AckFn) => void;
  "message:send": (req: SendRequest, ack: AckFn<{ message: Message }>) => void;
  typing: (req: { room: string; typing: boolean }) => void;
}

export interface ServerToClientEvents {
  "message:new": (message: Message) => void;
  presence: (payload: PresencePayload) => void;
  typing: (payload: TypingPayload) => void;
}

/** Per-socket data set at handshake. */
export interface SocketData {
  user: UserRef & { role: string; guest: boolean };
}
