"use client";
/**
 * One room's live state: the log (messages by seq, deduplicated by id), the
 * sender's optimistic messages, presence and typing. Joins on mount and on
 * every reconnect; a rejoin passes `after` = the last seq seen, so nothing
 * sent while away is missed and nothing is shown twice.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Message, RoomSummary, UserRef, WireError } from "@/server/contract";
import { HISTORY_PAGE } from "@/server/contract";
import { api } from "@/components/lib/api";
import { newClientId } from "@/components/lib/ids";
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
  const [hasOlder, setHasOlder] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const lastSeq = useRef<number | null>(null);
  const oldestSeq = useRef<number | null>(null);

  const absorb = useCallback((incoming: Message[]) => {
    if (incoming.length === 0) return;
    for (const m of incoming) {
      if (lastSeq.current === null || m.seq > lastSeq.current) lastSeq.current = m.seq;
      if (oldestSeq.current === null || m.seq < oldestSeq.current) oldestSeq.current = m.seq;
    }
    setMessages((cur) => mergeMessages(cur, incoming));
    // A message of ours that arrives (live or on rejoin) settles its optimistic copy.
    const settled = new Set(incoming.map((m) => m.clientId));
    setOutgoing((cur) => (cur.some((o) => settled.has(o.clientId)) ? cur.filter((o) => !settled.has(o.clientId)) : cur));
  }, []);

  useEffect(() => {
    const socket = getSocket();
    let cancelled = false;

    const join = async () => {
      const after = lastSeq.current ?? undefined;
      const ack = await socket.emitWithAck("room:join", { room: slug, after }).catch(() => null);
      if (cancelled || !ack) return;
      if (!ack.ok) return setLoad({ state: "error", error: ack.error });
      setRoom(ack.room);
      setOnline(ack.online);
      if (after === undefined) {
        setHasOlder((ack.messages[0]?.seq ?? 1) > 1 && ack.messages.length >= HISTORY_PAGE);
      }
      absorb(ack.messages);
      setLoad({ state: "ready" });
    };

    const onMessage = (m: Message) => m.room === slug && absorb([m]);
    const onPresence = (p: { room: string; online: UserRef[] }) => p.room === slug && setOnline(p.online);
    const onTyping = (t: { room: string; user: UserRef; typing: boolean }) => {
      if (t.room !== slug) return;
      setTyping((cur) => {
        const next = new Map(cur);
        if (t.typing) next.set(t.user.id, { user: t.user, until: Date.now() + TYPING_TTL_MS });
        else next.delete(t.user.id);
        return next;
      });
    };

    socket.on("connect", join);
    socket.on("message:new", onMessage);
    socket.on("presence", onPresence);
    socket.on("typing", onTyping);
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
      socket.off("presence", onPresence);
      socket.off("typing", onTyping);
      if (socket.connected) socket.emit("room:leave", { room: slug }, () => {});
    };
  }, [slug, absorb]);

  const deliver = useCallback(
    async (clientId: string, body: string) => {
      const socket = getSocket();
      let error: WireError;
      try {
        const ack = await socket.timeout(SEND_TIMEOUT_MS).emitWithAck("message:send", { room: slug, clientId, body });
        if (ack.ok) return absorb([ack.message]);
        error = ack.error;
      } catch {
        error = { code: "unavailable", message: "timeout" };
      }
      setOutgoing((cur) => cur.map((o) => (o.clientId === clientId ? { ...o, status: "failed", error } : o)));
    },
    [slug, absorb],
  );

  const send = useCallback(
    (body: string) => {
      const clientId = newClientId();
      setOutgoing((cur) => [...cur, { clientId, body, createdAt: new Date().toISOString(), status: "pending" }]);
      void deliver(clientId, body);
    },
    [deliver],
  );

  /** Re-sends with the same clientId: the server stores it at most once. */
  const retry = useCallback(
    (clientId: string) => {
      let body: string | undefined;
      setOutgoing((cur) =>
        cur.map((o) => {
          if (o.clientId !== clientId) return o;
          body = o.body;
          return { ...o, status: "pending", error: undefined };
        }),
      );
      if (body !== undefined) void deliver(clientId, body);
    },
    [deliver],
  );

  const discard = useCallback((clientId: string) => {
    setOutgoing((cur) => cur.filter((o) => o.clientId !== clientId));
  }, []);

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

  const setMyTyping = useCallback((value: boolean) => {
    const socket = getSocket();
    if (socket.connected) socket.emit("typing", { room: slug, typing: value });
  }, [slug]);

  return {
    load,
    room,
    messages,
    outgoing,
    online,
    typing: [...typing.values()].map((t) => t.user),
    hasOlder,
    loadingOlder,
    send,
    retry,
    discard,
    loadOlder,
    setMyTyping,
  };
}
