"use client";
/**
 * The composer's unsent text, per room, in localStorage: it survives a
 * reload, a room switch and a language switch. Cleared when sent.
 */
import { useCallback, useEffect, useState } from "react";

const key = (room: string) => `relay.draft.${room}`;
/** A draft is written at most this often while typing. */
const SAVE_DELAY_MS = 250;

export function useDraft(room: string): [string, (value: string) => void] {
  // Tagged with its room: nothing is written until that room's draft was read, so a first empty render cannot erase it.
  const [draft, setDraft] = useState<{ room: string | null; value: string }>({ room: null, value: "" });
  useEffect(() => {
    let stored = "";
    try {
      stored = localStorage.getItem(key(room)) ?? "";
    } catch {
      // Storage disabled: start empty.
    }
    setDraft({ room, value: stored });
  }, [room]);
  useEffect(() => {
    if (draft.room !== room) return;
    const { value } = draft;
    const write = () => {
      try {
        if (value) localStorage.setItem(key(room), value);
        else localStorage.removeItem(key(room));
      } catch {
        // Storage full or disabled: the draft lives as long as the page.
      }
    };
    const timer = setTimeout(write, value ? SAVE_DELAY_MS : 0);
    // A reload right after a keystroke keeps it too.
    window.addEventListener("pagehide", write);
    return () => {
      clearTimeout(timer);
      window.removeEventListener("pagehide", write);
    };
  }, [room, draft]);
  const set = useCallback((value: string) => setDraft({ room, value }), [room]);
  return [draft.room === room ? draft.value : "", set];
}
