"use client";
/**
 * Your rooms, with unread counts and a separate mention badge, live. A fixed
 * column from md up; a drawer on phones (opened from the room header's
 * SidebarToggle). Also owns what follows the list: the tab title, the quick
 * switcher (Ctrl/Cmd+K) and the settings menu (notifications, mute).
 */
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useTranslations } from "next-intl";
import type { RoomEntry } from "@/server/contract";
import { setDrawerOpen, useDrawerOpen } from "./drawer";
import { QuickSwitcher } from "./QuickSwitcher";
import { SettingsMenu } from "./SettingsMenu";
import { setNotificationFormat } from "./notify";
import { totalUnread } from "./rooms";
import { startRoomList, useRoomList } from "./store";

function RoomLink({ room, current }: { room: RoomEntry; current: boolean }) {
  const t = useTranslations("sidebar");
  const hot = room.unread > 0 && !room.muted;
  const label = [
    room.name,
    room.muted ? t("muted") : null,
    room.unread ? t("unread", { count: room.unread }) : null,
    room.mentions ? t("mentions", { count: room.mentions }) : null,
  ]
    .filter(Boolean)
    .join(", ");
  return (
    <Link
      href={`/r/${encodeURIComponent(room.slug)}`}
      aria-current={current ? "page" : undefined}
      aria-label={label}
      onClick={() => setDrawerOpen(false)}
      data-testid="sidebar-room"
      data-room={room.slug}
      data-unread={room.unread}
      data-mentions={room.mentions}
      className={`flex min-h-9 items-center gap-2 rounded-md px-2 py-1.5 text-sm ${
        current
          ? "bg-indigo-600 text-white"
          : `hover:bg-slate-200/70 dark:hover:bg-slate-800 ${hot ? "font-semibold text-slate-900 dark:text-white" : "text-slate-600 dark:text-slate-400"}`
      }`}
    >
      <span aria-hidden="true" className={current ? "text-indigo-200" : "text-slate-400 dark:text-slate-500"}>
        {room.kind === "dm" ? "@" : room.visibility === "private" ? "🔒" : "#"}
      </span>
      <span className="min-w-0 flex-1 truncate">{room.name}</span>
      {room.muted ? (
        <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4 shrink-0 opacity-60" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round">
          <path d="M5 8v4h3l4 3V5L8 8H5zM15 7l-4 6M11 7l4 6" />
        </svg>
      ) : null}
      {room.mentions ? (
        <span aria-hidden="true" data-testid="mention-badge" className="rounded-full bg-rose-600 px-1.5 text-xs font-bold leading-5 text-white">
          @{room.mentions}
        </span>
      ) : null}
      {room.unread ? (
        <span
          aria-hidden="true"
          data-testid="unread-badge"
          className={`min-w-5 rounded-full px-1.5 text-center text-xs font-semibold leading-5 ${
            current ? "bg-white/20 text-white" : room.muted ? "bg-slate-200 text-slate-600 dark:bg-slate-800 dark:text-slate-400" : "bg-indigo-600 text-white"
          }`}
        >
          {room.unread > 99 ? "99+" : room.unread}
        </span>
      ) : null}
    </Link>
  );
}

export function Sidebar({ current, me }: { current: string; me: { id: string; name: string } }) {
  const t = useTranslations("sidebar");
  const tNotify = useTranslations("notify");
  const { rooms, loaded } = useRoomList();
  const open = useDrawerOpen();
  const [switcher, setSwitcher] = useState(false);
  const panel = useRef<HTMLElement>(null);

  useEffect(() => startRoomList(me), [me]);
  useEffect(() => {
    setNotificationFormat((room, a, mention) => ({
      title: mention ? tNotify("mention", { author: a.author.name, room: room.name }) : tNotify("dm", { author: a.author.name }),
      body: a.preview,
    }));
  }, [tNotify]);

  // The tab title counts what is unread (muted rooms aside): "(3) #general · Relay".
  const unread = totalUnread(rooms);
  const shown = rooms.find((r) => r.slug === current);
  // A DM is titled with the other person's name: "@mei · Relay".
  const title = `${unread ? `(${unread}) ` : ""}${shown?.kind === "dm" ? "@" : "#"}${shown?.name ?? current} · ${t("app")}`;
  useEffect(() => {
    // Next writes the page's metadata title after navigations: put ours back whenever it changes.
    const apply = () => {
      if (document.title !== title) document.title = title;
    };
    apply();
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => observer.disconnect();
  }, [title]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "k") {
        e.preventDefault();
        setSwitcher((v) => !v);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  // The drawer: Escape closes it, and focus goes into it when it opens.
  useEffect(() => {
    if (!open) return;
    panel.current?.querySelector<HTMLElement>("a,button")?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setDrawerOpen(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);
  useEffect(() => () => setDrawerOpen(false), []);

  const rows = rooms.filter((r) => r.kind === "room");
  const dms = rooms.filter((r) => r.kind === "dm");
  const currentRoom = rooms.find((r) => r.slug === current) ?? null;

  return (
    <>
      {open ? <div className="fixed inset-0 z-30 bg-slate-900/40 md:hidden" aria-hidden="true" onClick={() => setDrawerOpen(false)} /> : null}
      <nav
        ref={panel}
        id="room-sidebar"
        aria-label={t("label")}
        data-testid="sidebar"
        className={`${open ? "fixed inset-y-0 left-0 z-40 flex w-72 max-w-[85vw] shadow-2xl" : "hidden"} flex-col border-r border-slate-200 bg-slate-50 md:static md:z-auto md:flex md:w-60 md:max-w-none md:shrink-0 md:shadow-none dark:border-slate-800 dark:bg-slate-950`}
      >
        <div className="flex items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
          <h2 className="flex-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{t("rooms")}</h2>
          <SettingsMenu room={currentRoom} />
          <button
            type="button"
            onClick={() => setDrawerOpen(false)}
            aria-label={t("close")}
            className="rounded-md px-2 py-1 text-slate-500 hover:bg-slate-200 md:hidden dark:hover:bg-slate-800"
          >
            ✕
          </button>
        </div>
        <button
          type="button"
          onClick={() => setSwitcher(true)}
          className="mx-3 mt-3 flex items-center gap-2 rounded-md border border-slate-200 bg-white px-2 py-1.5 text-left text-sm text-slate-500 hover:border-slate-300 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-400"
        >
          <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round">
            <circle cx="9" cy="9" r="5" />
            <path d="M13 13l4 4" />
          </svg>
          <span className="flex-1">{t("jump")}</span>
          <kbd className="rounded border border-slate-200 px-1 font-sans text-[10px] dark:border-slate-700">Ctrl K</kbd>
        </button>
        <div className="min-h-0 flex-1 overflow-y-auto px-2 py-3">
          {!loaded ? <p className="px-2 text-sm text-slate-500 dark:text-slate-400">{t("loading")}</p> : null}
          <ul className="space-y-0.5">
            {rows.map((r) => (
              <li key={r.slug}>
                <RoomLink room={r} current={r.slug === current} />
              </li>
            ))}
          </ul>
          {dms.length ? (
            <>
              <h2 className="mt-4 px-2 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{t("dms")}</h2>
              <ul className="space-y-0.5">
                {dms.map((r) => (
                  <li key={r.slug}>
                    <RoomLink room={r} current={r.slug === current} />
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
        <Link href="/" onClick={() => setDrawerOpen(false)} className="border-t border-slate-200 px-4 py-2 text-sm text-slate-600 hover:bg-slate-200/70 dark:border-slate-800 dark:text-slate-400 dark:hover:bg-slate-800">
          {t("allRooms")}
        </Link>
      </nav>
      {switcher ? <QuickSwitcher rooms={rooms} current={current} onClose={() => setSwitcher(false)} /> : null}
    </>
  );
}
