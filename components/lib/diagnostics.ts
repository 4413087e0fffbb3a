"use client";
/**
 * What /diagnostics shows about the rooms this browser has open: each room's
 * cursor (seq + epoch) and how its last (re)join went. Rooms write it here as
 * they join; it lives in localStorage so the diagnostics page, in this tab
 * after navigating or in another tab, can read it (and hear updates through
 * the `storage` event).
 */
export const DIAG_KEY = "relay:diagnostics:rooms";
/** Rooms not heard from for this long are dropped: the tab that had them open is gone. */
const STALE_MS = 24 * 60 * 60 * 1000;

export interface RoomDiagnostics {
  room: string;
  /** The log's head seq and epoch the last answer carried. */
  seq: number;
  epoch: string;
  /** fresh: opened without a cursor; resumed: replayed from the cursor; reset: the cursor could not be honoured. */
  result: "fresh" | "resumed" | "reset";
  /** Log events replayed by that answer. */
  replayed: number;
  at: string;
}

export function readRoomDiagnostics(): RoomDiagnostics[] {
  try {
    const all = JSON.parse(localStorage.getItem(DIAG_KEY) ?? "{}") as Record<string, RoomDiagnostics>;
    const cutoff = Date.now() - STALE_MS;
    return Object.values(all).filter((r) => Date.parse(r.at) > cutoff).sort((a, b) => a.room.localeCompare(b.room));
  } catch {
    return [];
  }
}

export function noteJoin(room: string, page: { head: number; epoch: string; events: unknown[]; reset?: true }, resumed: boolean): void {
  try {
    const all = JSON.parse(localStorage.getItem(DIAG_KEY) ?? "{}") as Record<string, RoomDiagnostics>;
    all[room] = {
      room,
      seq: page.head,
      epoch: page.epoch,
      result: page.reset ? "reset" : resumed ? "resumed" : "fresh",
      replayed: page.events.length,
      at: new Date().toISOString(),
    };
    localStorage.setItem(DIAG_KEY, JSON.stringify(all));
  } catch {
    // Storage full or disabled: diagnostics are a nicety.
  }
}
