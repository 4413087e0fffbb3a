"use client";
/**
 * One room, live: the socket's events go into the room reducer
 * (./roomState.ts, pure and unit-tested), and this hook runs the effects the
 * state asks for.
 *
 * - Join on mount, on every reconnect, and when the tab becomes visible
 *   again, from the cursor (the highest contiguous seq): the server replays
 *   exactly what was missed, page by page. A join that times out is retried
 *   with backoff instead of leaving the room "loading".
 * - A gap (an event ahead of the cursor) is filled with a join from the
 *   cursor if it is still open after a moment.
 * - Sending: every message goes to the IndexedDB outbox first and is sent
 *   when connected (queued -> sending -> stored), re-sent with the same
 *   clientId after reconnects and reloads until acknowledged; a rate-limited
 *   one waits the time the server names and goes again by itself.
 */
import { noteJoin } from "@/components/lib/diagnostics";
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import type { BroadcastDelivery, BroadcastRetracted, Message, MessageReactions, PostingState, PresencePayload, MessageDeleted, MessageUpdated, RevokeReason, UserRef, WireError } from "@/server/contract";
import { HISTORY_PAGE, MAX_HISTORY_PAGE } from "@/server/contract";
import { api } from "@/components/lib/api";
import { newClientId } from "@/components/lib/ids";
import { outbox } from "@/components/lib/outbox";
import { getSocket } from "@/components/lib/socket";
import { noteServerTime } from "@/components/lib/clock";
import { dueForSending, hasGap, initialRoomState, roomReducer, type Outgoing, type RoomState } from "./roomState";

export type { Outgoing, RoomLoad } from "./roomState";

/** How long a send or a join may wait for its answer. */
const ACK_TIMEOUT_MS = 15_000;
/** A typing indicator fades if no update arrives (the typist may have left). */
const TYPING_TTL_MS = 6_000;
/**
 * A gap the server's ordering did not close by itself within this time is
 * filled by a join from the cursor (the server holds reordered events for
 * about 150 ms; a gap on one connection should not happen at all).
 */
const GAP_FILL_MS = 500;
/** Join retries back off up to this. */
const JOIN_RETRY_MAX_MS = 15_000;
/** Errors that retrying cannot fix: the message stays failed until the user acts. */
const FINAL_ERRORS = new Set(["invalid", "too_large", "forbidden", "not_found", "conflict", "unauthorized"]);
/** When the server names no wait for a rate limit. */
const DEFAULT_RETRY_AFTER_MS = 2_000;
/** A jump to an old message loads this many around it. */
const AROUND_PAGE = 30;
/**
 * After a jump, the gap up to what was shown is filled with at most this many
 * pages (MAX_HISTORY_PAGE each), so scrolling down from the original reads on
 * without a hole; a jump further back than that leaves the hole to "load".
 */
const GAP_FILL_PAGES = 5;

export function useRoom(slug: string) {
  const [state, dispatch] = useReducer(roomReducer, initialRoomState);
  const [typing, setTyping] = useState<Map<string, { user: UserRef; until: number }>>(new Map());
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [revoked, setRevoked] = useState<RevokeReason | null>(null);
  // Where the reader stood when the room opened (the unread divider; the first join's answer only), and whether they may post now.
  const [joinInfo, setJoinInfo] = useState<{ lastReadSeq: number | null; posting: PostingState }>({ lastReadSeq: null, posting: { allowed: true } });
  // Bumped to re-run the sending effect: a reconnect, a rate limit that has passed.
  const [wake, setWake] = useState(0);
  /** The last resume after a reconnect: how many messages it brought in (announced once, politely). */
  const [caughtUp, setCaughtUp] = useState<{ n: number; count: number; reset: boolean } | null>(null);
  // The effects read the latest state without re-subscribing on every change.
  const stateRef = useRef<RoomState>(state);
  stateRef.current = state;
  const joinRef = useRef<() => Promise<void>>(async () => {});

  // ---- Joining (and resuming, and filling gaps) ----------------------------
  useEffect(() => {
    const socket = getSocket();
    let cancelled = false;
    let joining = false;
    let again = false;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;

    const join = async () => {
      if (joining) return void (again = true);
      joining = true;
      clearTimeout(retryTimer);
      try {
        // A long absence is replayed page by page. Each next page starts
        // where the last one stopped reading (its `next`), not at the newest
        // seq seen: live events keep arriving meanwhile.
        const { epoch: known, cursor } = stateRef.current;
        let request = known !== null ? { room: slug, after: cursor, epoch: known } : { room: slug };
        let missed = 0;
        let reset = false;
        for (;;) {
          const resumed = "after" in request;
          let ack: Awaited<ReturnType<typeof socket.emitWithAck<"room:join">>> | null;
          try {
            ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("room:join", request);
          } catch {
            ack = null; // timed out
          }
          if (cancelled) return;
          if (!ack || (!ack.ok && ack.error.code === "unavailable")) {
            // Not answered: try again, later each time, while connected.
            const delay = Math.min(JOIN_RETRY_MAX_MS, 1000 * 2 ** attempt++);
            if (socket.connected) retryTimer = setTimeout(() => void join(), delay);
            return;
          }
          attempt = 0;
          if (!ack.ok) return dispatch({ type: "join-failed", error: ack.error });
          dispatch({ type: "joined", result: ack, resumed });
          noteServerTime(ack.serverTime);
          setJoinInfo((cur) => ({ lastReadSeq: cur.lastReadSeq ?? ack.lastReadSeq, posting: ack.posting }));
          noteJoin(slug, ack, resumed);
          missed += ack.messages.length;
          reset ||= !!ack.reset;
          if (!ack.more) {
            if (known !== null) setCaughtUp((cur) => ({ n: (cur?.n ?? 0) + 1, count: missed, reset }));
            break;
          }
          request = { room: slug, after: ack.next, epoch: ack.epoch };
        }
      } finally {
        joining = false;
        if (again && !cancelled) {
          again = false;
          void join();
        }
      }
    };
    joinRef.current = join;

    const onMessage = (m: Message) => m.room === slug && dispatch({ type: "live", entry: { type: "message", seq: m.seq, message: m } });
    const onUpdated = (p: MessageUpdated) => p.room === slug && dispatch({ type: "live", entry: { type: "message:updated", seq: p.seq, message: p.message } });
    const onDeleted = (p: MessageDeleted) => p.room === slug && dispatch({ type: "live", entry: { type: "message:deleted", seq: p.seq, room: p.room, id: p.id } });
    const onReactions = (p: MessageReactions) =>
      p.room === slug && dispatch({ type: "live", entry: { type: "message:reactions", seq: p.seq, room: p.room, id: p.id, reactions: p.reactions } });
    const onPresence = (p: PresencePayload) => p.room === slug && dispatch({ type: "presence", joined: p.joined, left: p.left, count: p.count });
    const onBroadcast = ({ room, seq, broadcast }: BroadcastDelivery) => {
      if (room !== slug) return;
      dispatch({ type: "live", entry: { type: "broadcast", seq, broadcast } });
      // Receipt, for the admin's delivery accounting.
      socket.emit("broadcast:ack", { id: broadcast.id });
    };
    const onRetracted = ({ room, seq, id }: BroadcastRetracted) => room === slug && dispatch({ type: "live", entry: { type: "broadcast:retracted", seq, id } });
    const onTyping = (t: { room: string; user: UserRef; typing: boolean }) => {
      if (t.room !== slug) return;
      setTyping((cur) => {
        const next = new Map(cur);
        if (t.typing) next.set(t.user.id, { user: t.user, until: Date.now() + TYPING_TTL_MS });
        else next.delete(t.user.id);
        return next;
      });
    };
    const onRevoked = (p: { reason: RevokeReason; room?: string }) => {
      if (p.room === undefined || p.room === slug) setRevoked(p.reason);
    };
    // Back from a hidden tab: catch up through the cursor now instead of
    // waiting for a ping timeout to notice a dead connection.
    const onVisible = () => {
      if (document.visibilityState !== "visible") return;
      if (socket.connected) void join();
      else reconnectNow();
    };
    // Back online: make sure a connection attempt is under way.
    const onOnline = () => {
      if (!socket.connected) reconnectNow();
    };
    // Only when Socket.IO has given up (or was never reconnecting); while it
    // is reconnecting, its jittered backoff (at most 10 s) brings it back.
    const reconnectNow = () => {
      if (!socket.active) socket.connect();
    };

    socket.on("connect", join);
    socket.on("message:new", onMessage);
    socket.on("message:updated", onUpdated);
    socket.on("message:deleted", onDeleted);
    socket.on("message:reactions", onReactions);
    socket.on("presence", onPresence);
    socket.on("broadcast", onBroadcast);
    socket.on("broadcast:retracted", onRetracted);
    socket.on("typing", onTyping);
    socket.on("revoked", onRevoked);
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("online", onOnline);
    if (socket.connected) void join();

    const sweep = setInterval(() => {
      setTyping((cur) => {
        const now = Date.now();
        if (![...cur.values()].some((t) => t.until < now)) return cur;
        return new Map([...cur].filter(([, t]) => t.until >= now));
      });
    }, 1000);

    return () => {
      cancelled = true;
      clearInterval(sweep);
      clearTimeout(retryTimer);
      socket.off("connect", join);
      socket.off("message:new", onMessage);
      socket.off("message:updated", onUpdated);
      socket.off("message:deleted", onDeleted);
      socket.off("message:reactions", onReactions);
      socket.off("presence", onPresence);
      socket.off("broadcast", onBroadcast);
      socket.off("broadcast:retracted", onRetracted);
      socket.off("typing", onTyping);
      socket.off("revoked", onRevoked);
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("online", onOnline);
      if (socket.connected) socket.emit("room:leave", { room: slug }, () => {});
    };
  }, [slug]);

  // A gap still open after a moment: fill it from the cursor.
  const gap = hasGap(state);
  useEffect(() => {
    if (!gap) return;
    const timer = setTimeout(() => void joinRef.current(), GAP_FILL_MS);
    return () => clearTimeout(timer);
  }, [gap, state.cursor]);

  // ---- Sending -------------------------------------------------------------
  const inflight = useRef(new Set<string>());

  const deliver = useCallback(
    async (item: Outgoing) => {
      const socket = getSocket();
      if (!socket.connected || inflight.current.has(item.clientId)) return;
      inflight.current.add(item.clientId);
      dispatch({ type: "sending", clientId: item.clientId });
      let error: WireError & { retryAfter?: number };
      try {
        const ack = await socket
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck("message:send", { room: slug, clientId: item.clientId, body: item.body, ...(item.replyTo ? { replyTo: item.replyTo } : {}) });
        if (ack.ok) return dispatch({ type: "sent", message: ack.message });
        error = ack.error;
      } catch {
        error = { code: "unavailable", message: "timeout" };
      } finally {
        inflight.current.delete(item.clientId);
      }
      if (error.code === "rate_limited") {
        const wait = error.retryAfter ?? DEFAULT_RETRY_AFTER_MS;
        return dispatch({ type: "send-failed", clientId: item.clientId, error, final: false, retryAt: Date.now() + wait });
      }
      // Lost with the connection: queued again, re-sent after the reconnect.
      const final = FINAL_ERRORS.has(error.code) || socket.connected;
      dispatch({ type: "send-failed", clientId: item.clientId, error, final });
    },
    [slug],
  );

  // Messages typed before a reload (or in another visit) wait in the outbox.
  useEffect(() => {
    let cancelled = false;
    void outbox.list(slug).then((entries) => {
      if (cancelled || entries.length === 0) return;
      dispatch({
        type: "queue",
        items: entries.map((e): Outgoing => ({ clientId: e.clientId, body: e.body, createdAt: e.createdAt, replyTo: e.replyTo, status: "queued" })),
      });
    });
    return () => {
      cancelled = true;
    };
  }, [slug]);

  // The persisted outbox follows the state: what left the state (stored, discarded) leaves IndexedDB.
  const persisted = useRef(new Set<string>());
  useEffect(() => {
    const now = new Set(state.outbox.map((o) => o.clientId));
    for (const id of persisted.current) if (!now.has(id)) void outbox.remove(id);
    persisted.current = now;
  }, [state.outbox]);

  // Send what is due once the room is joined; wake up again for a rate limit that passes.
  const ready = state.load.state === "ready";
  useEffect(() => {
    if (!ready) return;
    const now = Date.now();
    for (const item of dueForSending(state, now)) void deliver(item);
    const waits = state.outbox.flatMap((o) => (o.status === "queued" && o.retryAt && o.retryAt > now ? [o.retryAt - now] : []));
    if (waits.length === 0) return;
    const timer = setTimeout(() => setWake((n) => n + 1), Math.min(...waits));
    return () => clearTimeout(timer);
  }, [ready, state, deliver, wake]);

  // A reconnect re-sends what the lost connection left queued.
  useEffect(() => {
    const socket = getSocket();
    const kick = () => setWake((n) => n + 1);
    socket.on("connect", kick);
    return () => void socket.off("connect", kick);
  }, []);

  const send = useCallback(
    (body: string, replyTo?: string) => {
      const entry = { clientId: newClientId(), room: slug, body, createdAt: new Date().toISOString(), ...(replyTo ? { replyTo } : {}) };
      // Into the outbox before the first attempt, so a reload cannot lose it.
      void outbox.put(entry).then(() => dispatch({ type: "queue", items: [{ ...entry, status: "queued" }] }));
    },
    [slug],
  );

  /** Re-sends with the same clientId: the server stores it at most once. */
  const retry = useCallback((clientId: string) => dispatch({ type: "retry", clientId }), []);
  const discard = useCallback((clientId: string) => dispatch({ type: "discard", clientId }), []);

  const loadOlder = useCallback(async () => {
    const oldest = stateRef.current.messages[0]?.seq;
    if (loadingOlder || !stateRef.current.hasOlder || oldest === undefined) return;
    setLoadingOlder(true);
    try {
      const { messages: older } = await api<{ messages: Message[] }>(
        `/api/rooms/${encodeURIComponent(slug)}/messages?before=${oldest}&limit=${HISTORY_PAGE}`,
      );
      dispatch({ type: "older", messages: older });
    } catch {
      // Leave hasOlder set: scrolling up again retries.
    } finally {
      setLoadingOlder(false);
    }
  }, [slug, loadingOlder]);

  /** Edits one's own message; resolves to an error to show, or null. */
  const edit = useCallback(
    async (id: string, body: string): Promise<WireError | null> => {
      const ack = await getSocket()
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck("message:edit", { room: slug, id, body })
        .catch(() => null);
      if (!ack) return { code: "unavailable", message: "timeout" };
      if (!ack.ok) return ack.error;
      dispatch({ type: "edited", message: ack.message });
      return null;
    },
    [slug],
  );

  /** Deletes a message (one's own, or any as an admin). */
  const remove = useCallback(
    async (id: string): Promise<WireError | null> => {
      const ack = await getSocket()
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck("message:delete", { room: slug, id })
        .catch(() => null);
      if (!ack) return { code: "unavailable", message: "timeout" };
      if (!ack.ok) return ack.error;
      dispatch({ type: "deleted", id });
      return null;
    },
    [slug],
  );

  /** Adds or removes one's reaction; resolves to an error to show, or null. */
  const react = useCallback(
    async (id: string, emoji: string): Promise<WireError | null> => {
      const ack = await getSocket()
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck("reaction:toggle", { room: slug, id, emoji })
        .catch(() => null);
      if (!ack) return { code: "unavailable", message: "timeout" };
      if (!ack.ok) return ack.error;
      dispatch({ type: "reacted", id, reactions: ack.reactions });
      return null;
    },
    [slug],
  );

  /**
   * Makes sure the message at `seq` is shown: if it is older than what is
   * loaded, loads the page around it, then the pages between it and what was
   * shown. Resolves true when it is there.
   */
  const reveal = useCallback(
    async (id: string, seq: number): Promise<boolean> => {
      const shown = stateRef.current.messages;
      if (shown.some((m) => m.id === id)) return true;
      const base = `/api/rooms/${encodeURIComponent(slug)}/messages`;
      try {
        const { messages: around } = await api<{ messages: Message[] }>(`${base}?around=${seq}&limit=${AROUND_PAGE}`);
        dispatch({ type: "around", messages: around });
        const oldestShown = shown[0]?.seq;
        let upTo = oldestShown;
        const reached = around[around.length - 1]?.seq ?? seq;
        for (let i = 0; upTo !== undefined && upTo > reached + 1 && i < GAP_FILL_PAGES; i++) {
          const { messages: page } = await api<{ messages: Message[] }>(`${base}?before=${upTo}&limit=${MAX_HISTORY_PAGE}`);
          const fresh = page.filter((m) => m.seq > reached);
          if (fresh.length === 0) break;
          dispatch({ type: "around", messages: fresh });
          upTo = fresh[0]!.seq;
        }
        return around.some((m) => m.id === id);
      } catch {
        return false;
      }
    },
    [slug],
  );

  const setMyTyping = useCallback(
    (value: boolean) => {
      const socket = getSocket();
      if (socket.connected) socket.emit("typing", { room: slug, typing: value });
    },
    [slug],
  );

  return {
    load: state.load,
    room: state.room,
    /** The highest contiguous log seq received: what "read to here" means. */
    cursor: state.cursor,
    openedAtSeq: joinInfo.lastReadSeq,
    posting: joinInfo.posting,
    messages: state.messages,
    outgoing: state.outbox,
    online: state.online,
    onlineCount: Math.max(state.onlineCount, state.online.length),
    typing: [...typing.values()].map((t) => t.user),
    broadcasts: state.broadcasts,
    hasOlder: state.hasOlder,
    loadingOlder,
    revoked,
    caughtUp,
    send,
    retry,
    discard,
    edit,
    remove,
    react,
    reveal,
    loadOlder,
    setMyTyping,
  };
}
