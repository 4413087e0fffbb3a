"use client";
/**
 * /diagnostics: how this browser reaches the server. The transport in use,
 * the round-trip time over it, each open room's cursor and last (re)join, an
 * SSE buffering probe and a WebSocket reachability check. Each check says in
 * plain words what it found and, when something is wrong, what fixes it.
 */
import { useCallback, useEffect, useState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { useConnection } from "@/components/chat/useConnection";
import { getSocket } from "@/components/lib/socket";
import { DIAG_KEY, readRoomDiagnostics, type RoomDiagnostics } from "@/components/lib/diagnostics";
import { roomPath } from "@/components/lib/paths";

const PROBE_PATH = "/api/diagnostics/sse-probe";
/** The probe's chunks are 400 ms apart (server/http/diagnostics.ts); arriving within this span of each other means a buffer held them. */
const BUFFERED_SPAN_MS = 300;
/** Longest any check may take before it is called failed. */
const CHECK_TIMEOUT_MS = 8_000;
const PINGS = 5;

type Check<T> = { state: "idle" } | { state: "running" } | ({ state: "done" } & T);
type SseResult = { ok: true; spaced: boolean; gaps: number[] } | { ok: false };
type WsResult = { ok: boolean; ms: number };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function probeSse(): Promise<SseResult> {
  return new Promise((resolve) => {
    const arrivals: number[] = [];
    const source = new EventSource(PROBE_PATH);
    const finish = (result: SseResult) => {
      clearTimeout(timer);
      source.close();
      resolve(result);
    };
    const timer = setTimeout(() => finish(arrivals.length ? done() : { ok: false }), CHECK_TIMEOUT_MS);
    const done = (): SseResult => {
      const gaps = arrivals.slice(1).map((t, i) => Math.round(t - arrivals[i]!));
      const span = arrivals.length > 1 ? arrivals[arrivals.length - 1]! - arrivals[0]! : 0;
      return { ok: true, spaced: span >= BUFFERED_SPAN_MS, gaps };
    };
    source.addEventListener("chunk", () => arrivals.push(performance.now()));
    source.addEventListener("done", () => finish(done()));
    source.onerror = () => finish(arrivals.length ? done() : { ok: false });
  });
}

function probeWs(): Promise<WsResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
    let ws: WebSocket;
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      ws.onopen = ws.onerror = ws.onclose = null;
      ws.close();
      resolve({ ok, ms: Math.round(performance.now() - started) });
    };
    const timer = setTimeout(() => finish(false), CHECK_TIMEOUT_MS);
    ws = new WebSocket(url);
    ws.onopen = () => finish(true);
    ws.onerror = () => finish(false);
    ws.onclose = () => finish(false);
  });
}

async function measureRtt(): Promise<number | null> {
  const socket = getSocket();
  if (!socket.connected) return null;
  const samples: number[] = [];
  for (let i = 0; i < PINGS; i++) {
    const started = performance.now();
    try {
      await socket.timeout(CHECK_TIMEOUT_MS).emitWithAck("diagnostics:ping", {});
      samples.push(performance.now() - started);
    } catch {
      return null;
    }
  }
  return Math.round(median(samples));
}

export function Diagnostics() {
  const t = useTranslations("diagnostics");
  const tc = useTranslations("connection");
  const format = useFormatter();
  const status = useConnection();
  const [rtt, setRtt] = useState<Check<{ ms: number | null }>>({ state: "idle" });
  const [rooms, setRooms] = useState<RoomDiagnostics[]>([]);
  const [sse, setSse] = useState<Check<{ result: SseResult }>>({ state: "idle" });
  const [ws, setWs] = useState<Check<{ result: WsResult }>>({ state: "idle" });

  const runAll = useCallback(async () => {
    setRtt({ state: "running" });
    setSse({ state: "running" });
    setWs({ state: "running" });
    const [ms, sseResult, wsResult] = await Promise.all([measureRtt(), probeSse(), probeWs()]);
    setRtt({ state: "done", ms });
    setSse({ state: "done", result: sseResult });
    setWs({ state: "done", result: wsResult });
  }, []);

  useEffect(() => {
    setRooms(readRoomDiagnostics());
    const onStorage = (e: StorageEvent) => e.key === DIAG_KEY && setRooms(readRoomDiagnostics());
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }, []);

  // Once connected (the round trip needs the socket), run every check once.
  const connected = status.state === "connected";
  useEffect(() => {
    if (connected && rtt.state === "idle") void runAll();
  }, [connected, rtt.state, runAll]);

  const transport = status.transport === "polling" ? tc("polling") : status.transport === "websocket" ? tc("websocket") : t("none");
  const card = "rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900";
  const dt = "text-sm text-slate-600 dark:text-slate-400";
  const dd = "font-medium";
  const running = rtt.state === "running" || sse.state === "running" || ws.state === "running";

  return (
    <main className="mx-auto w-full max-w-3xl space-y-6 px-3 py-6 sm:px-5">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="flex-1 text-xl font-semibold">{t("title")}</h1>
        <button
          type="button"
          onClick={() => void runAll()}
          disabled={running || !connected}
          className="rounded-lg bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-600 disabled:opacity-60"
        >
          {running ? t("running") : t("runAgain")}
        </button>
      </div>
      <p className="text-sm text-slate-700 dark:text-slate-300">{t("intro")}</p>

      <section aria-labelledby="diag-conn" className={card}>
        <h2 id="diag-conn" className="mb-3 text-base font-semibold">{t("connection")}</h2>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2">
          <dt className={dt}>{t("state")}</dt>
          <dd className={dd} data-testid="diag-state">{tc(status.state)}</dd>
          <dt className={dt}>{t("transport")}</dt>
          <dd className={dd} data-testid="diag-transport">{transport}</dd>
          <dt className={dt}>{t("rtt")}</dt>
          <dd className={dd} data-testid="diag-rtt" aria-live="polite">
            {rtt.state === "done" ? (rtt.ms === null ? t("rttUnavailable") : t("ms", { value: rtt.ms })) : t("measuring")}
          </dd>
        </dl>
      </section>

      <section aria-labelledby="diag-rooms" className={card}>
        <h2 id="diag-rooms" className="mb-1 text-base font-semibold">{t("rooms")}</h2>
        <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">{t("roomsHint")}</p>
        {rooms.length === 0 ? (
          <p className="text-sm" data-testid="diag-no-rooms">{t("noRooms")}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full min-w-[28rem] text-left text-sm" data-testid="diag-rooms">
              <caption className="sr-only">{t("rooms")}</caption>
              <thead className="text-xs uppercase text-slate-600 dark:text-slate-400">
                <tr>
                  <th scope="col" className="py-1 pr-2">{t("room")}</th>
                  <th scope="col" className="py-1 pr-2">{t("seq")}</th>
                  <th scope="col" className="py-1 pr-2">{t("epoch")}</th>
                  <th scope="col" className="py-1">{t("lastJoin")}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {rooms.map((r) => (
                  <tr key={r.room}>
                    <td className="py-1.5 pr-2">
                      <a href={roomPath(r.room)} className="text-indigo-700 underline dark:text-indigo-300">#{r.room}</a>
                    </td>
                    <td className="py-1.5 pr-2 tabular-nums">{r.seq}</td>
                    <td className="max-w-32 truncate py-1.5 pr-2 font-mono text-xs" title={r.epoch}>{r.epoch}</td>
                    <td className="py-1.5">
                      {t(`result.${r.result}`, { count: r.replayed })}
                      <span className="block text-xs text-slate-600 dark:text-slate-400">
                        {format.dateTime(new Date(r.at), { dateStyle: "short", timeStyle: "medium" })}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="diag-sse" className={card}>
        <h2 id="diag-sse" className="mb-1 text-base font-semibold">{t("sse")}</h2>
        <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">{t("sseHint")}</p>
        <div aria-live="polite" data-testid="diag-sse" data-result={sse.state === "done" ? (sse.result.ok ? (sse.result.spaced ? "spaced" : "buffered") : "failed") : sse.state}>
          {sse.state !== "done" ? (
            <p className="text-sm">{t("measuring")}</p>
          ) : !sse.result.ok ? (
            <p className="text-sm font-medium text-red-700 dark:text-red-400">{t("sseFailed")}</p>
          ) : sse.result.spaced ? (
            <p className="text-sm font-medium text-emerald-800 dark:text-emerald-300">{t("sseSpaced", { gaps: sse.result.gaps.join(", ") })}</p>
          ) : (
            <div className="space-y-2 text-sm">
              <p className="font-medium text-amber-900 dark:text-amber-200">{t("sseBuffered")}</p>
              <p>{t("sseFix")}</p>
              <pre className="overflow-x-auto rounded bg-slate-100 p-2 text-xs dark:bg-slate-950">{"X-Accel-Buffering: no\n\n# nginx\nlocation /api/ {\n  proxy_buffering off;\n}"}</pre>
            </div>
          )}
        </div>
      </section>

      <section aria-labelledby="diag-ws" className={card}>
        <h2 id="diag-ws" className="mb-1 text-base font-semibold">{t("ws")}</h2>
        <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">{t("wsHint")}</p>
        <div aria-live="polite" data-testid="diag-ws" data-result={ws.state === "done" ? (ws.result.ok ? "ok" : "failed") : ws.state}>
          {ws.state !== "done" ? (
            <p className="text-sm">{t("measuring")}</p>
          ) : ws.result.ok ? (
            <p className="text-sm font-medium text-emerald-800 dark:text-emerald-300">{t("wsOk", { ms: ws.result.ms })}</p>
          ) : (
            <div className="space-y-1 text-sm">
              <p className="font-medium text-red-700 dark:text-red-400">{t("wsFailed")}</p>
              <p>{t("wsFix")}</p>
            </div>
          )}
        </div>
      </section>
    </main>
  );
}
