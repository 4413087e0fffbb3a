"use client";
/**
 * Entering a room puts the caret in its composer, so a keyboard user can
 * type at once. The composer appears once the room has loaded, so this waits
 * for it (up to a few seconds). Not on touch screens: focusing there would
 * open the on-screen keyboard over the conversation the user came to read.
 */
import { useEffect } from "react";

const GIVE_UP_MS = 10_000;

export function FocusOnEnter({ selector }: { selector: string }) {
  useEffect(() => {
    if (!window.matchMedia("(pointer: fine)").matches) return;
    const started = Date.now();
    let frame = 0;
    const tryFocus = () => {
      const el = document.querySelector<HTMLElement>(selector);
      const busy = document.activeElement && document.activeElement !== document.body;
      if (el && !(el as HTMLTextAreaElement).disabled) {
        // Someone already chose where to be (a link, the search field): leave them there.
        if (!busy) el.focus();
        return;
      }
      if (Date.now() - started < GIVE_UP_MS) frame = requestAnimationFrame(tryFocus);
    };
    frame = requestAnimationFrame(tryFocus);
    return () => cancelAnimationFrame(frame);
  }, [selector]);
  return null;
}
