"use client";
/**
 * Polls GET /api/admin/stats. Polling, not a socket: the figures are a
 * snapshot anyway, a failed request simply tries again at the next tick, and
 * it needs nothing from the chat transports it is there to watch.
 */
import { useEffect, useState } from "react";
import type { OpsStats } from "@/server/ops/stats";

/** Live enough to watch a spike happen; one small JSON per open admin tab. */
export const POLL_MS = 2_000;

export type StatsState = {
  stats: OpsStats | null;
  /**
   * "live": the last poll worked; "paused": the tab is hidden; "retrying": the
   * last poll failed and the figures are stale; "denied": signed out or no
   * longer an admin (polling stops).
   */
  status: "live" | "paused" | "retrying" | "denied";
};

export function useAdminStats(initial: OpsStats | null): StatsState {
  const [state, setState] = useState<StatsState>({ stats: initial, status: "live" });

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let running = false;
    const controller = new AbortController();

    // One request at a time: the next is scheduled when this one settles, so a
    // slow server is never asked twice at once.
    async function tick() {
      timer = undefined;
      if (document.visibilityState !== "visible") {
        setState((cur) => (cur.status === "live" ? { ...cur, status: "paused" } : cur));
        return; // resumed by visibilitychange
      }
      running = true;
      try {
        const res = await fetch("/api/admin/stats", { cache: "no-store", signal: controller.signal });
        if (res.status === 401 || res.status === 403) {
          stopped = true;
          setState((cur) => ({ ...cur, status: "denied" }));
          return;
        }
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const stats = (await res.json()) as OpsStats;
        setState({ stats, status: "live" });
      } catch {
        if (controller.signal.aborted) return;
        setState((cur) => ({ ...cur, status: "retrying" }));
      } finally {
        running = false;
      }
      if (!stopped && !controller.signal.aborted) timer = setTimeout(tick, POLL_MS);
    }

    const onVisible = () => {
      if (document.visibilityState === "visible" && !stopped && !running && timer === undefined) void tick();
    };
    document.addEventListener("visibilitychange", onVisible);
    // With figures from the server render, the first poll waits a tick.
    if (initial) timer = setTimeout(tick, POLL_MS);
    else void tick();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, []); // `initial` only seeds the state; a new one must not restart polling

  return state;
}
