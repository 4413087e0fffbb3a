"use client";
/**
 * The settings menu: desktop notifications (the browser asks for permission
 * only when this is switched on) and muting the current room (kept on the
 * server, per user; every tab and device follows).
 */
import { useEffect, useRef, useState } from "react";
import { useTranslations } from "next-intl";
import type { RoomEntry, RoomSettings } from "@/server/contract";
import { api } from "@/components/lib/api";
import { disableNotifications, enableNotifications, notificationsOn, notificationsSupported } from "./notify";
import { noteSettings } from "./store";

export function SettingsMenu({ room }: { room: RoomEntry | null }) {
  const t = useTranslations("notify");
  const [open, setOpen] = useState(false);
  const [notify, setNotify] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => setNotify(notificationsOn()), [open]);
  useEffect(() => {
    if (!open) return;
    root.current?.querySelector<HTMLElement>('[role="menuitemcheckbox"]')?.focus();
    const onDown = (e: MouseEvent) => !root.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  const toggleNotify = async () => {
    if (notify) {
      disableNotifications();
      setNotify(false);
      return;
    }
    const on = await enableNotifications();
    setNotify(on);
    setNote(on ? null : notificationsSupported() ? t("denied") : t("unsupported"));
  };

  const toggleMute = async () => {
    if (!room) return;
    const res = await api<RoomSettings>(`/api/rooms/${encodeURIComponent(room.slug)}/settings`, { method: "PUT", body: { muted: !room.muted } }).catch(() => null);
    if (res) noteSettings(res);
  };

  const item = "flex w-full items-center gap-2 rounded px-2 py-1.5 text-left text-sm hover:bg-slate-100 focus:bg-slate-100 dark:hover:bg-slate-800 dark:focus:bg-slate-800";
  const check = (on: boolean) => (
    <span aria-hidden="true" className={`inline-flex h-4 w-4 items-center justify-center rounded border text-[10px] ${on ? "border-indigo-600 bg-indigo-600 text-white" : "border-slate-400"}`}>
      {on ? "✓" : ""}
    </span>
  );

  return (
    <div ref={root} className="relative">
      <button
        ref={button}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={t("settings")}
        title={t("settings")}
        data-testid="settings-menu"
        onClick={() => setOpen((v) => !v)}
        className="rounded-md p-1.5 text-slate-500 hover:bg-slate-200 dark:text-slate-400 dark:hover:bg-slate-800"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round">
          <circle cx="10" cy="10" r="2.5" />
          <path d="M10 2.5v2M10 15.5v2M2.5 10h2M15.5 10h2M4.7 4.7l1.4 1.4M13.9 13.9l1.4 1.4M4.7 15.3l1.4-1.4M13.9 6.1l1.4-1.4" />
        </svg>
      </button>
      {open ? (
        <div
          role="menu"
          aria-label={t("settings")}
          onKeyDown={(e) => {
            if (e.key === "Escape") close();
            if (e.key === "ArrowDown" || e.key === "ArrowUp") {
              e.preventDefault();
              const items = [...(root.current?.querySelectorAll<HTMLElement>('[role="menuitemcheckbox"]') ?? [])];
              const i = items.indexOf(document.activeElement as HTMLElement);
              items[(i + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
            }
          }}
          className="absolute right-0 z-50 mt-1 w-64 rounded-lg border border-slate-200 bg-white p-1 text-slate-700 shadow-lg dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200"
        >
          <button type="button" role="menuitemcheckbox" aria-checked={notify} onClick={() => void toggleNotify()} className={item} data-testid="notify-toggle">
            {check(notify)}
            <span className="flex-1">{t("desktop")}</span>
          </button>
          {room ? (
            <button type="button" role="menuitemcheckbox" aria-checked={room.muted} onClick={() => void toggleMute()} className={item} data-testid="mute-toggle">
              {check(room.muted)}
              <span className="flex-1">{t("mute", { room: room.name })}</span>
            </button>
          ) : null}
          <p className="px-2 pb-1 pt-2 text-xs text-slate-500 dark:text-slate-400">{note ?? t("hint")}</p>
        </div>
      ) : null}
    </div>
  );
}
