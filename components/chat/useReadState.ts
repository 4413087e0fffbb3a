"use client";
/**
 * Reading a room: while the room is on screen (the tab visible) and scrolled
 * to the bottom, what arrives counts as read, and the position (the room's
 * cursor) goes to the server as `room:read`, debounced. The server keeps it,
 * never backwards, and tells the user's other tabs and devices.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { getSocket } from "@/components/lib/socket";
import { noteRead, setReading } from "@/components/sidebar/store";

/** A burst of messages is acknowledged once, and a quick scroll past does not count as reading. */
const READ_DEBOUNCE_MS = 700;

export function useReadState(slug: string, cursor: number, ready: boolean) {
  const [atBottom, setAtBottom] = useState(true);
  const [visible, setVisible] = useState(true);
  const sent = useRef(0);

  useEffect(() => {
    const update = () => setVisible(document.visibilityState === "visible");
    update();
    document.addEventListener("visibilitychange", update);
    return () => document.removeEventListener("visibilitychange", update);
  }, []);

  const reading = ready && visible && atBottom;
  useEffect(() => {
    setReading(reading ? slug : null);
    return () => setReading(null);
  }, [reading, slug]);

  const markRead = useCallback(
    async (seq: number) => {
      if (seq <= sent.current) return;
      sent.current = seq;
      const ack = await getSocket().timeout(15_000).emitWithAck("room:read", { room: slug, seq }).catch(() => null);
      if (ack?.ok) noteRead({ room: ack.room, seq: ack.seq });
      // Not stored: try again with the next change.
      else sent.current = 0;
    },
    [slug],
  );

  useEffect(() => {
    if (!reading || cursor <= sent.current) return;
    const timer = setTimeout(() => void markRead(cursor), READ_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [reading, cursor, markRead]);

  return { atBottom, setAtBottom, markAllRead: () => void markRead(cursor) };
}
