"use client";
/**
 * A search field. Submitting goes to /search?q=…, with &room=<slug> when it
 * searches one room (the room header's box).
 */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";

export function searchHref(q: string, room?: string) {
  const params = new URLSearchParams({ q });
  if (room) params.set("room", room);
  return `/search?${params}`;
}

export function SearchBox(props: {
  room?: string;
  roomName?: string;
  initial?: string;
  autoFocus?: boolean;
  className?: string;
  size?: "sm" | "lg";
  /** The header's box: Enter submits, the button is there for screen readers only. */
  compact?: boolean;
}) {
  const t = useTranslations("search");
  const router = useRouter();
  const id = useId();
  const [q, setQ] = useState(props.initial ?? "");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!q.trim()) return;
    router.push(searchHref(q.trim(), props.room));
  };
  const label = props.room ? t("inRoom", { room: props.roomName ?? props.room }) : t("label");
  const big = props.size === "lg";
  return (
    <form role="search" onSubmit={submit} className={`flex min-w-0 items-center gap-2 ${props.className ?? ""}`}>
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <div className="relative min-w-0 flex-1">
        <span className="pointer-events-none absolute inset-y-0 left-2 flex items-center text-slate-400" aria-hidden="true">
          <svg viewBox="0 0 20 20" fill="currentColor" className={big ? "h-4 w-4" : "h-3.5 w-3.5"}>
            <path fillRule="evenodd" d="M9 3.5a5.5 5.5 0 1 0 3.4 9.83l3.63 3.64a.75.75 0 1 0 1.06-1.06l-3.63-3.64A5.5 5.5 0 0 0 9 3.5ZM5 9a4 4 0 1 1 8 0 4 4 0 0 1-8 0Z" clipRule="evenodd" />
          </svg>
        </span>
        <input
          id={id}
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          maxLength={200}
          autoFocus={props.autoFocus}
          placeholder={label}
          data-testid={props.room ? "room-search" : "global-search"}
          className={`w-full min-w-0 rounded-md border border-slate-300 bg-white pl-7 pr-2 dark:border-slate-700 dark:bg-slate-950 ${big ? "py-2 text-base" : "py-1 text-sm"}`}
        />
      </div>
      <button
        type="submit"
        disabled={!q.trim()}
        className={
          props.compact
            ? "sr-only"
            : `shrink-0 rounded-md bg-indigo-600 font-medium text-white hover:bg-indigo-500 disabled:opacity-50 ${big ? "px-4 py-2 text-sm" : "px-2.5 py-1 text-xs"}`
        }
      >
        {t("submit")}
      </button>
    </form>
  );
}

/** The global search in the app header: a field on wide screens, a link to /search on phones. */
export function HeaderSearch() {
  const t = useTranslations("search");
  return (
    <>
      <div className="hidden w-56 sm:block lg:w-72">
        <SearchBox compact />
      </div>
      <Link
        href="/search"
        aria-label={t("label")}
        title={t("label")}
        className="rounded-md p-1.5 text-slate-600 hover:bg-slate-100 sm:hidden dark:text-slate-300 dark:hover:bg-slate-800"
      >
        <svg viewBox="0 0 20 20" fill="currentColor" className="h-4 w-4" aria-hidden="true">
          <path fillRule="evenodd" d="M9 3.5a5.5 5.5 0 1 0 3.4 9.83l3.63 3.64a.75.75 0 1 0 1.06-1.06l-3.63-3.64A5.5 5.5 0 0 0 9 3.5ZM5 9a4 4 0 1 1 8 0 4 4 0 0 1-8 0Z" clipRule="evenodd" />
        </svg>
      </Link>
    </>
  );
}
