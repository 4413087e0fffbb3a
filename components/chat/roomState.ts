/**
 * One room's state in the browser, as a pure reducer: what the log says (the
 * messages, the broadcasts), where we are in it (the cursor), and what we are
 * sending (the outbox). useRoom.ts feeds it what the socket says and runs the
 * effects it asks for; everything here is testable without a browser.
 *
 * The cursor is the highest contiguous seq applied: an event that arrives
 * ahead of it (a gap) is held, not applied, and the hook fills the gap with a
 * `room:join` from the cursor. Duplicates (seq at or below the cursor) are
 * dropped. A page from the server (a join's answer) is authoritative for the
 * range it covers: its rows may skip seqs of messages deleted since, and its
 * `next` says how far it read.
 *
 * The outbox has explicit states: queued (waiting for a connection, or for a
 * rate limit to pass), sending (in flight), failed (the server refused it for
 * good, or it timed out while connected: the user decides).
 */
import type { Broadcast, JoinResult, LogEntry, Message, Reaction, RoomSummary, UserRef, WireError } from "@/server/contract";
import { HISTORY_PAGE, REPLY_EXCERPT } from "@/server/contract";

export type OutboxStatus = "queued" | "sending" | "failed";

export interface Outgoing {
  clientId: string;
  body: string;
  /** The id of the message this one answers. */
  replyTo?: string;
  createdAt: string;
  status: OutboxStatus;
  error?: WireError;
  /** Queued until this time (ms since epoch): the server asked us to wait. */
  retryAt?: number;
}

export type RoomLoad = { state: "loading" } | { state: "ready" } | { state: "error"; error: WireError };

export interface RoomState {
  load: RoomLoad;
  room: RoomSummary | null;
  /** The log this state belongs to; null before the first join. */
  epoch: string | null;
  /** Highest contiguous seq applied. */
  cursor: number;
  /** Shown messages, by seq. */
  messages: Message[];
  /** Entries received ahead of the cursor, by seq: a gap to fill. */
  held: LogEntry[];
  hasOlder: boolean;
  /** Who is online, by name: everyone, or in a crowd the first names the join listed plus who came since. */
  online: UserRef[];
  /** How many are online (the server's count: `online` can be shorter in a crowd). */
  onlineCount: number;
  broadcasts: Broadcast[];
  outbox: Outgoing[];
}

export type RoomAction =
  | { type: "joined"; result: JoinResult; resumed: boolean }
  | { type: "join-failed"; error: WireError }
  | { type: "live"; entry: LogEntry }
  | { type: "older"; messages: Message[] }
  /** Who came and went, and how many are online now (a delta; the join's answer carried the list). */
  | { type: "presence"; joined: UserRef[]; left: string[]; count: number }
  | { type: "queue"; items: Outgoing[] }
  | { type: "sending"; clientId: string }
  | { type: "sent"; message: Message }
  | { type: "send-failed"; clientId: string; error: WireError; final: boolean; retryAt?: number }
  | { type: "retry"; clientId: string }
  | { type: "discard"; clientId: string }
  | { type: "edited"; message: Message }
  | { type: "deleted"; id: string }
  /** Our own toggle's answer: the message's reactions right after it (its log event follows in order). */
  | { type: "reacted"; id: string; reactions: Reaction[] }
  /** A page around a seq (a jump to a reply's original), merged into what is shown. */
  | { type: "around"; messages: Message[] };

export const initialRoomState: RoomState = {
  load: { state: "loading" },
  room: null,
  epoch: null,
  cursor: 0,
  messages: [],
  held: [],
  hasOlder: false,
  online: [],
  onlineCount: 0,
  broadcasts: [],
  outbox: [],
};

/** Merges messages by id, sorted by seq (the newest copy of each wins). */
export function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** Messages that arrived settle the outbox entries with their clientId. */
function settle(outbox: Outgoing[], messages: Message[]): Outgoing[] {
  if (outbox.length === 0 || messages.length === 0) return outbox;
  const ids = new Set(messages.map((m) => m.clientId));
  return outbox.some((o) => ids.has(o.clientId)) ? outbox.filter((o) => !ids.has(o.clientId)) : outbox;
}

/** Replies quote their original as it is now: an edit changes the excerpt, a deletion leaves a placeholder. */
function requote(messages: Message[], original: string, change: { body: string } | "deleted"): Message[] {
  if (!messages.some((m) => m.replyTo?.id === original)) return messages;
  return messages.map((m) => {
    if (m.replyTo?.id !== original) return m;
    if (change === "deleted") return { ...m, replyTo: { ...m.replyTo, excerpt: "", deleted: true } };
    const excerpt = Array.from(change.body.replace(/\s+/g, " ").trim()).slice(0, REPLY_EXCERPT).join("");
    return { ...m, replyTo: { ...m.replyTo, excerpt } };
  });
}

function withReactions(messages: Message[], id: string, reactions: Reaction[]): Message[] {
  return messages.map((m) => (m.id === id ? { ...m, reactions } : m));
}

/** Applies one log entry's effect on what is shown (not the cursor). */
function show(state: RoomState, entry: LogEntry): RoomState {
  switch (entry.type) {
    case "message":
      return { ...state, messages: mergeMessages(state.messages, [entry.message]), outbox: settle(state.outbox, [entry.message]) };
    case "message:updated": {
      const updated = entry.message;
      const messages = state.messages.map((m) => (m.id === updated.id ? updated : m));
      return { ...state, messages: requote(messages, updated.id, updated) };
    }
    case "message:deleted":
      return { ...state, messages: requote(state.messages.filter((m) => m.id !== entry.id), entry.id, "deleted") };
    case "message:reactions":
      return { ...state, messages: withReactions(state.messages, entry.id, entry.reactions) };
    case "broadcast": {
      const b = entry.broadcast;
      return state.broadcasts.some((x) => x.id === b.id) ? state : { ...state, broadcasts: [...state.broadcasts, b] };
    }
    case "broadcast:retracted":
      return { ...state, broadcasts: state.broadcasts.filter((x) => x.id !== entry.id) };
  }
}

/** Applies held entries that the cursor has reached; drops those it has passed. */
function drain(state: RoomState): RoomState {
  let s = state;
  let held = s.held.filter((e) => e.seq > s.cursor);
  while (held[0] && held[0].seq === s.cursor + 1) {
    const [next, ...rest] = held;
    s = { ...show(s, next), cursor: next.seq };
    held = rest;
  }
  return held.length === s.held.length && held.every((e, i) => e === s.held[i]) ? s : { ...s, held };
}

/** A page the server wrote for this room: authoritative up to its `next`. */
function applyPage(state: RoomState, result: JoinResult, resumed: boolean): RoomState {
  let s: RoomState = {
    ...state,
    room: result.room,
    online: result.online,
    onlineCount: result.onlineCount,
    broadcasts: result.broadcasts,
    epoch: result.epoch,
    load: { state: "ready" },
  };
  if (result.reset || !resumed) {
    // A newest page (first join), or the cursor belonged to another log: start over from this answer.
    s = { ...s, cursor: 0, held: result.reset ? [] : s.held };
    if (result.reset) s = { ...s, messages: [] };
    s = { ...s, hasOlder: (result.messages[0]?.seq ?? 1) > 1 && result.messages.length >= HISTORY_PAGE };
  }
  // A resumed page lists every log event in order; a newest page only messages.
  const entries: LogEntry[] = result.events.length ? result.events : result.messages.map((m) => ({ type: "message", seq: m.seq, message: m }));
  for (const entry of entries) if (entry.seq > s.cursor) s = show(s, entry);
  s = { ...s, cursor: Math.max(s.cursor, result.next) };
  return drain(s);
}

export function roomReducer(state: RoomState, action: RoomAction): RoomState {
  switch (action.type) {
    case "joined":
      return applyPage(state, action.result, action.resumed);
    case "join-failed":
      return { ...state, load: { state: "error", error: action.error } };
    case "live": {
      const { entry } = action;
      if (state.epoch === null || entry.seq <= state.cursor) return state; // before the first join, or a duplicate
      if (entry.seq === state.cursor + 1) return drain({ ...show(state, entry), cursor: entry.seq });
      if (state.held.some((e) => e.seq === entry.seq)) return state;
      return { ...state, held: [...state.held, entry].sort((a, b) => a.seq - b.seq) };
    }
    case "older":
      return {
        ...state,
        messages: mergeMessages(state.messages, action.messages),
        hasOlder: action.messages.length === HISTORY_PAGE && (action.messages[0]?.seq ?? 1) > 1,
      };
    case "presence": {
      const gone = new Set([...action.left, ...action.joined.map((u) => u.id)]);
      const online = [...state.online.filter((u) => !gone.has(u.id)), ...action.joined].sort((a, b) => a.name.localeCompare(b.name));
      return { ...state, online, onlineCount: action.count };
    }
    case "queue": {
      const known = new Set(state.outbox.map((o) => o.clientId));
      const fresh = action.items.filter((o) => !known.has(o.clientId) && (known.add(o.clientId), true));
      return fresh.length ? { ...state, outbox: [...state.outbox, ...fresh] } : state;
    }
    case "sending":
      return mapOutbox(state, action.clientId, (o) => ({ ...o, status: "sending", error: undefined, retryAt: undefined }));
    case "sent":
      // Shown at once; the cursor moves when the event itself arrives in order.
      return { ...state, messages: mergeMessages(state.messages, [action.message]), outbox: settle(state.outbox, [action.message]) };
    case "send-failed":
      return mapOutbox(state, action.clientId, (o) => ({
        ...o,
        status: action.final ? "failed" : "queued",
        error: action.error,
        retryAt: action.retryAt,
      }));
    case "retry":
      return mapOutbox(state, action.clientId, (o) => ({ ...o, status: "queued", error: undefined, retryAt: undefined }));
    case "discard":
      return { ...state, outbox: state.outbox.filter((o) => o.clientId !== action.clientId) };
    case "edited": {
      const messages = state.messages.map((m) => (m.id === action.message.id ? action.message : m));
      return { ...state, messages: requote(messages, action.message.id, action.message) };
    }
    case "deleted":
      return { ...state, messages: requote(state.messages.filter((m) => m.id !== action.id), action.id, "deleted") };
    case "reacted":
      return { ...state, messages: withReactions(state.messages, action.id, action.reactions) };
    case "around": {
      // Oldest first like every page; what was shown stays (the fetched copy wins by id).
      const messages = mergeMessages(state.messages, action.messages);
      return { ...state, messages, hasOlder: state.hasOlder || (messages[0]?.seq ?? 1) > 1 };
    }
  }
}

function mapOutbox(state: RoomState, clientId: string, fn: (o: Outgoing) => Outgoing): RoomState {
  return { ...state, outbox: state.outbox.map((o) => (o.clientId === clientId ? fn(o) : o)) };
}

/** The outbox entries to send now: queued, and not waiting for a rate limit. */
export function dueForSending(state: RoomState, now: number): Outgoing[] {
  return state.outbox.filter((o) => o.status === "queued" && (o.retryAt === undefined || o.retryAt <= now));
}

/** A gap is open: entries wait for the ones before them. */
export const hasGap = (state: RoomState) => state.held.length > 0;
