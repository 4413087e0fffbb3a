"use client";
/**
 * A panel that opens in place (share, invite): it takes focus when it opens
 * (its first field, or the panel itself), Escape closes it, and focus goes
 * back to whatever opened it.
 */
import { useEffect, useRef } from "react";

export function usePanel<T extends HTMLElement>(onClose: () => void) {
  const ref = useRef<T>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const panel = ref.current;
    if (!panel) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const first = panel.querySelector<HTMLElement>("input, textarea, select");
    (first ?? panel).focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented) return;
      e.preventDefault();
      close.current();
    };
    panel.addEventListener("keydown", onKey);
    return () => {
      panel.removeEventListener("keydown", onKey);
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return ref;
}
