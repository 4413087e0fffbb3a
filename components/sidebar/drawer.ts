"use client";
/** Whether the sidebar drawer is open on narrow screens (its toggle lives in the room header). */
import { useSyncExternalStore } from "react";

let open = false;
const listeners = new Set<() => void>();

export function setDrawerOpen(value: boolean) {
  if (open === value) return;
  open = value;
  for (const l of listeners) l();
}

export function useDrawerOpen(): boolean {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    () => open,
    () => false,
  );
}
