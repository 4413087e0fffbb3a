"use client";
import { roomPath } from "@/components/lib/paths";
import { useErrorText } from "@/components/lib/errors";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { noteServerTime, notAfter } from "@/components/lib/clock";
import { useServerNow } from "@/components/chat/TimelineMarkers";
import type { RoomSummary } from "@/server/contract";
import { api, ApiError } from "@/components/lib/api";
import { GuestBadge } from "@/components/ui/GuestBadge";
import { CreateRoomForm } from "./CreateRoomForm";
import { DmList } from "@/components/dm/DmList";

/** Online counts and previews change; refresh the list this often while visible. */
const REFRESH_MS = 15_000;

type State = { kind: "loading" } | { kind: "error"; message: string } | { kind: "ready"; rooms: RoomSummary[] };

export function Lobby() {
  const t = useTranslations("lobby");
  const errorText = useErrorText();
  const format = useFormatter();
  // The server's clock (GET /api/rooms says what it is): "in 3 seconds" cannot happen.
  const now = useServerNow();
  const tRoom = useTranslations("room");
  const ago = (iso: string) => {
    const at = notAfter(new Date(iso), now);
    return now.getTime() - at.getTime() < 45_000 ? tRoom("justNow") : format.relativeTime(at, now);
  };
  const [state, setState] = useState<State>({ kind: "loading" });
  const [creating, setCreating] = useState(false);

  const refresh = useCallback(async () => {
    try {
      const { rooms, now: serverTime } = await api<{ rooms: RoomSummary[]; now?: string }>("/api/rooms");
      noteServerTime(serverTime);
      setState({ kind: "ready", rooms });
    } catch (err) {
      setState((cur) => (cur.kind === "ready" ? cur : { kind: "error", message: errorText(err) }));
    }
  }, [errorText]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => document.visibilityState === "visible" && void refresh(), REFRESH_MS);
    const onFocus = () => void refresh();
    window.addEventListener("focus", onFocus);
    return () => {
      clearInterval(timer);
      window.removeEventListener("focus", onFocus);
    };
  }, [refresh]);

  return (
    <main className="mx-auto w-full max-w-3xl flex-1 px-3 py-6 sm:px-5">
      <DmList />
      <div className="mb-4 flex items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">{t("title")}</h1>
        <button
          type="button"
          onClick={() => setCreating((v) => !v)}
          aria-expanded={creating}
          className="rounded-lg bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500"
        >
          {t("newRoom")}
        </button>
      </div>
      {creating ? <CreateRoomForm onCancel={() => setCreating(false)} /> : null}

      {state.kind === "loading" ? (
        <ul className="space-y-2" aria-busy="true" aria-label={t("loading")}>
          {[0, 1, 2].map((i) => (
            <li key={i} className="h-20 animate-pulse rounded-xl bg-slate-200 dark:bg-slate-800" />
          ))}
        </ul>
      ) : state.kind === "error" ? (
        <div role="alert" className="rounded-xl border border-red-200 bg-red-50 p-4 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
          <p className="font-medium">{t("error")}</p>
          <p className="mt-1">{state.message}</p>
          <button type="button" onClick={() => void refresh()} className="mt-2 font-semibold underline">
            {t("retry")}
          </button>
        </div>
      ) : state.rooms.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">{t("empty")}</p>
      ) : (
        <ul className="space-y-2" data-testid="rooms">
          {state.rooms.map((room) => (
            <li key={room.slug}>
              <Link
                href={roomPath(room.slug)}
                className="block rounded-xl border border-slate-200 bg-white p-4 transition hover:border-indigo-300 hover:shadow-sm dark:border-slate-800 dark:bg-slate-900 dark:hover:border-indigo-700"
              >
                <div className="flex items-center gap-2">
                  <span className="font-semibold">
                    <span className="text-slate-400" aria-hidden="true">#</span> {room.name}
                  </span>
                  {room.visibility === "private" ? (
                    <span className="rounded bg-amber-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-amber-800 dark:bg-amber-950 dark:text-amber-300">
                      {t("private")}
                    </span>
                  ) : null}
                  <span className="flex-1" />
                  <span className="flex items-center gap-1 text-xs text-slate-500 dark:text-slate-400">
                    <span className={`h-2 w-2 rounded-full ${room.online ? "bg-emerald-500" : "bg-slate-300 dark:bg-slate-600"}`} aria-hidden="true" />
                    {t("online", { count: room.online })}
                  </span>
                </div>
                {room.topic ? <p className="mt-0.5 truncate text-sm text-slate-500 dark:text-slate-400">{room.topic}</p> : null}
                <p className="mt-2 flex gap-2 text-sm">
                  {room.lastMessage ? (
                    <>
                      <span className="min-w-0 flex-1 truncate text-slate-700 dark:text-slate-300">
                        <span className="font-medium">{room.lastMessage.author}</span>
                        {room.lastMessage.guest ? (
                          <span className="ml-1 align-middle">
                            <GuestBadge />
                          </span>
                        ) : null}
                        <span className="font-medium">:</span> {room.lastMessage.body}
                      </span>
                      <time
                        dateTime={room.lastMessage.createdAt}
                        title={format.dateTime(new Date(room.lastMessage.createdAt), { dateStyle: "medium", timeStyle: "short" })}
                        className="shrink-0 text-xs text-slate-500 dark:text-slate-400"
                      >
                        {ago(room.lastMessage.createdAt)}
                      </time>
                    </>
                  ) : (
                    <span className="italic text-slate-600 dark:text-slate-400">{t("noMessages")}</span>
                  )}
                </p>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
