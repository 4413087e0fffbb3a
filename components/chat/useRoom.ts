"use client";
/**
 * One room's live state: the log (messages by seq, deduplicated by id), the
 * sender's outgoing messages, presence and typing.
 *
 * Resume: the hook remembers the last seq (and the log's epoch) it has seen.
 * It joins on mount, on every reconnect, and when the tab becomes visible
 * again; a rejoin passes the cursor, so the server replays exactly what was
 * missed (page by page), and anything already shown is dropped by id. When
 * the server answers `reset` (the cursor belongs to another log), the room is
 * reloaded from that answer.
 *
 * Sending: every message goes to the IndexedDB outbox first and is sent when
 * connected, re-sent with the same clientId after reconnects and reloads
 * until acknowledged.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Broadcast, JoinResult, LogEntry, Message, MessageDeleted, MessageUpdated, RoomSummary, UserRef, WireError } from "@/server/contract";
import { HISTORY_PAGE } from "@/server/contract";
import { api } from "@/components/lib/api";
import { newClientId } from "@/components/lib/ids";
import { outbox } from "@/components/lib/outbox";
import { getSocket } from "@/components/lib/socket";

export interface Outgoing {
  clientId: string;
  body: string;
  createdAt: string;
  status: "pending" | "failed";
  error?: WireError;
}

export type RoomLoad = { state: "loading" } | { state: "ready" } | { state: "error"; error: WireError };

/** How long a send may wait for its ack before it is shown as failed. */
const SEND_TIMEOUT_MS = 15_000;
/** A typing indicator fades if no update arrives (the typist may have left). */
const TYPING_TTL_MS = 6_000;
/** Errors that retrying cannot fix: the message stays failed until edited away. */
const FINAL_ERRORS = new Set(["invalid", "too_large", "forbidden", "not_found", "conflict"]);

export function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

export function useRoom(slug: string) {
  const [load, setLoad] = useState<RoomLoad>({ state: "loading" });
  const [room, setRoom] = useState<RoomSummary | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [outgoing, setOutgoing] = useState<Outgoing[]>([]);
  const [online, setOnline] = useState<UserRef[]>([]);
  const [typing, setTyping] = useState<Map<string, { user: UserRef; until: number }>>(new Map());
  const [broadcasts, setBroadcasts] = useState<Broadcast[]>([]);
  const [hasOlder, setHasOlder] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  // The cursor: the highest seq shown, and the log epoch it belongs to.
  const lastSeq = useRef(0);
  const epoch = useRef<string | null>(null);
  const oldestSeq = useRef<number | null>(null);
  const outgoingRef = useRef<Outgoing[]>([]);
  const inflight = useRef(new Set<string>());

  const updateOutgoing = useCallback((fn: (cur: Outgoing[]) => Outgoing[]) => {
    setOutgoing((cur) => {
      const next = fn(cur);
      outgoingRef.current = next;
      return next;
    });
  }, []);

  const absorb = useCallback(
    (incoming: Message[]) => {
      if (incoming.length === 0) return;
      for (const m of incoming) {
        if (m.seq > lastSeq.current) lastSeq.current = m.seq;
        if (oldestSeq.current === null || m.seq < oldestSeq.current) oldestSeq.current = m.seq;
      }
      setMessages((cur) => mergeMessages(cur, incoming));
      // A message of ours that arrives (live, on rejoin, or as an ack) settles its outbox entry.
      const settled = new Set(incoming.map((m) => m.clientId));
      if (outgoingRef.current.some((o) => settled.has(o.clientId))) {
        for (const id of settled) void outbox.remove(id);
        updateOutgoing((cur) => cur.filter((o) => !settled.has(o.clientId)));
      }
    },
    [updateOutgoing],
  );

  /** Edits and deletions, live or replayed; they move the cursor like messages. */
  const applyEntry = useCallback(
    (entry: LogEntry) => {
      if (entry.seq > lastSeq.current) lastSeq.current = entry.seq;
      if (entry.type === "message") return absorb([entry.message]);
      if (entry.type === "broadcast") {
        const b = entry.broadcast;
        return setBroadcasts((cur) => (cur.some((x) => x.id === b.id) ? cur : [...cur, b]));
      }
      if (entry.type === "broadcast:retracted") {
        const id = entry.id;
        return setBroadcasts((cur) => cur.filter((x) => x.id !== id));
      }
      if (entry.type === "message:updated") {
        const updated = entry.message;
        return setMessages((cur) => cur.map((m) => (m.id === updated.id ? updated : m)));
      }
      const gone = entry.id;
      setMessages((cur) => cur.filter((m) => m.id !== gone));
    },
    [absorb],
  );

  const deliver = useCallback(
    async (clientId: string, body: string) => {
      const socket = getSocket();
      // Offline: stay pending; the outbox is flushed after the next join.
      if (!socket.connected || inflight.current.has(clientId)) return;
      inflight.current.add(clientId);
      let error: WireError;
      try {
        const ack = await socket.timeout(SEND_TIMEOUT_MS).emitWithAck("message:send", { room: slug, clientId, body });
        if (ack.ok) return absorb([ack.message]);
        error = ack.error;
      } catch {
        error = { code: "unavailable", message: "timeout" };
      } finally {
        inflight.current.delete(clientId);
      }
      if (!FINAL_ERRORS.has(error.code) && !socket.connected) return; // resent after reconnect
      updateOutgoing((cur) => cur.map((o) => (o.clientId === clientId ? { ...o, status: "failed", error } : o)));
    },
    [slug, absorb, updateOutgoing],
  );

  const flushOutbox = useCallback(() => {
    for (const o of outgoingRef.current) if (o.status === "pending") void deliver(o.clientId, o.body);
  }, [deliver]);

  useEffect(() => {
    const socket = getSocket();
    let cancelled = false;
    let joining = false;

    // Messages typed before a reload (or in another visit) wait in the outbox.
    void outbox.list(slug).then((entries) => {
      if (cancelled || entries.length === 0) return;
      updateOutgoing((cur) => {
        const known = new Set(cur.map((o) => o.clientId));
        const restored = entries
          .filter((e) => !known.has(e.clientId))
          .map((e): Outgoing => ({ clientId: e.clientId, body: e.body, createdAt: e.createdAt, status: "pending" }));
        return [...cur, ...restored];
      });
      flushOutbox();
    });

    const apply = (ack: JoinResult, resumed: boolean) => {
      setRoom(ack.room);
      setOnline(ack.online);
      setBroadcasts(ack.broadcasts);
      if (ack.reset) {
        // The cursor belongs to another log: drop the view and start over
        // from this answer. (Messages that arrived live before a first join
        // are kept: they belong to this log too.)
        lastSeq.current = 0;
        oldestSeq.current = null;
        setMessages([]);
      }
      if (!resumed || ack.reset) setHasOlder((ack.messages[0]?.seq ?? 1) > 1 && ack.messages.length >= HISTORY_PAGE);
      epoch.current = ack.epoch;
      // A resumed page lists every log event in order; a newest page only messages.
      if (ack.events.length) for (const entry of ack.events) applyEntry(entry);
      else absorb(ack.messages);
    };

    const join = async () => {
      if (joining) return;
      joining = true;
      try {
        // A long absence is replayed page by page. Each next page starts
        // where the last one stopped reading (its `next`), not at the newest
        // seq seen: live events keep arriving meanwhile and must not skip it ahead.
        let after = epoch.current !== null ? lastSeq.current : undefined;
        for (;;) {
          const resumed = after !== undefined;
          const request = resumed ? { room: slug, after, epoch: epoch.current! } : { room: slug };
          const ack = await socket.timeout(SEND_TIMEOUT_MS).emitWithAck("room:join", request).catch(() => null);
          if (cancelled || !ack) return;
          if (!ack.ok) return setLoad({ state: "error", error: ack.error });
          apply(ack, resumed);
          setLoad({ state: "ready" });
          if (!ack.more) break;
          after = ack.next;
        }
        flushOutbox();
      } finally {
        joining = false;
      }
    };

    const onMessage = (m: Message) => m.room === slug && absorb([m]);
    const onUpdated = (p: MessageUpdated) => p.room === slug && applyEntry({ type: "message:updated", seq: p.seq, message: p.message });
    const onDeleted = (p: MessageDeleted) => p.room === slug && applyEntry({ type: "message:deleted", seq: p.seq, room: p.room, id: p.id });
    const onPresence = (p: { room: string; online: UserRef[] }) => p.room === slug && setOnline(p.online);
    const onBroadcast = ({ room, broadcast: b }: { room: string; broadcast: Broadcast }) => {
      if (room !== slug) return;
      setBroadcasts((cur) => (cur.some((x) => x.id === b.id) ? cur : [...cur, b]));
      // Receipt, for the admin's delivery accounting.
      socket.emit("broadcast:ack", { id: b.id });
    };
    const onRetracted = ({ id }: { id: string }) => setBroadcasts((cur) => cur.filter((x) => x.id !== id));
    const onTyping = (t: { room: string; user: UserRef; typing: boolean }) => {
      if (t.room !== slug) return;
      setTyping((cur) => {
        const next = new Map(cur);
        if (t.typing) next.set(t.user.id, { user: t.user, until: Date.now() + TYPING_TTL_MS });
        else next.delete(t.user.id);
        return next;
      });
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
    socket.on("presence", onPresence);
    socket.on("broadcast", onBroadcast);
    socket.on("broadcast:retracted", onRetracted);
    socket.on("typing", onTyping);
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
      socket.off("connect", join);
      socket.off("message:new", onMessage);
      socket.off("message:updated", onUpdated);
      socket.off("message:deleted", onDeleted);
      socket.off("presence", onPresence);
      socket.off("broadcast", onBroadcast);
      socket.off("broadcast:retracted", onRetracted);
      socket.off("typing", onTyping);
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("online", onOnline);
      if (socket.connected) socket.emit("room:leave", { room: slug }, () => {});
    };
  }, [slug, absorb, applyEntry, flushOutbox, updateOutgoing]);

  const send = useCallback(
    (body: string) => {
      const entry = { clientId: newClientId(), room: slug, body, createdAt: new Date().toISOString() };
      updateOutgoing((cur) => [...cur, { ...entry, status: "pending" }]);
      // Into the outbox before the first attempt, so a reload cannot lose it.
      void outbox.put(entry).then(() => deliver(entry.clientId, body));
    },
    [slug, deliver, updateOutgoing],
  );

  /** Re-sends with the same clientId: the server stores it at most once. */
  const retry = useCallback(
    (clientId: string) => {
      const entry = outgoingRef.current.find((o) => o.clientId === clientId);
      if (!entry) return;
      updateOutgoing((cur) => cur.map((o) => (o.clientId === clientId ? { ...o, status: "pending", error: undefined } : o)));
      void deliver(clientId, entry.body);
    },
    [deliver, updateOutgoing],
  );

  const discard = useCallback(
    (clientId: string) => {
      void outbox.remove(clientId);
      updateOutgoing((cur) => cur.filter((o) => o.clientId !== clientId));
    },
    [updateOutgoing],
  );

  const loadOlder = useCallback(async () => {
    if (loadingOlder || !hasOlder || oldestSeq.current === null) return;
    setLoadingOlder(true);
    try {
      const { messages: older } = await api<{ messages: Message[] }>(
        `/api/rooms/${encodeURIComponent(slug)}/messages?before=${oldestSeq.current}&limit=${HISTORY_PAGE}`,
      );
      absorb(older);
      setHasOlder(older.length === HISTORY_PAGE && (older[0]?.seq ?? 1) > 1);
    } catch {
      // Leave hasOlder set: scrolling up again retries.
    } finally {
      setLoadingOlder(false);
    }
  }, [slug, hasOlder, loadingOlder, absorb]);

  /** Edits one's own message; resolves to an error to show, or null. */
  const edit = useCallback(
    async (id: string, body: string): Promise<WireError | null> => {
      const ack = await getSocket()
        .timeout(SEND_TIMEOUT_MS)
        .emitWithAck("message:edit", { room: slug, id, body })
        .catch(() => null);
      if (!ack) return { code: "unavailable", message: "timeout" };
      if (!ack.ok) return ack.error;
      setMessages((cur) => cur.map((m) => (m.id === id ? ack.message : m)));
      return null;
    },
    [slug],
  );

  /** Deletes a message (one's own, or any as an admin). */
  const remove = useCallback(
    async (id: string): Promise<WireError | null> => {
      const ack = await getSocket()
        .timeout(SEND_TIMEOUT_MS)
        .emitWithAck("message:delete", { room: slug, id })
        .catch(() => null);
      if (!ack) return { code: "unavailable", message: "timeout" };
      if (!ack.ok) return ack.error;
      setMessages((cur) => cur.filter((m) => m.id !== id));
      return null;
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
    load,
    room,
    messages,
    outgoing,
    online,
    typing: [...typing.values()].map((t) => t.user),
    broadcasts,
    hasOlder,
    loadingOlder,
    send,
    retry,
    discard,
    edit,
    remove,
    loadOlder,
    setMyTyping,
  };
}
