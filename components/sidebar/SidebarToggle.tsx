"use client";
import { useTranslations } from "next-intl";
import { setDrawerOpen, useDrawerOpen } from "./drawer";
import { totalUnread } from "./rooms";
import { useRoomList } from "./store";

/** Opens the room drawer on phones; shows how much is unread elsewhere. */
export function SidebarToggle() {
  const t = useTranslations("sidebar");
  const open = useDrawerOpen();
  const { rooms } = useRoomList();
  const unread = totalUnread(rooms);
  return (
    <button
      type="button"
      onClick={() => setDrawerOpen(!open)}
      aria-expanded={open}
      aria-controls="room-sidebar"
      aria-label={unread ? t("openWithUnread", { count: unread }) : t("open")}
      data-testid="sidebar-toggle"
      className="relative inline-flex h-9 w-9 shrink-0 items-center justify-center rounded-md text-slate-600 hover:bg-slate-100 md:hidden dark:text-slate-300 dark:hover:bg-slate-800"
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round">
        <path d="M3 5h14M3 10h14M3 15h14" />
      </svg>
      {unread ? <span aria-hidden="true" className="absolute right-1 top-1 h-2 w-2 rounded-full bg-indigo-500" /> : null}
    </button>
  );
}
