"use client";
/**
 * Ctrl/Cmd+K: jump to any of your rooms by typing part of its name. A
 * combobox over a listbox (WAI-ARIA APG): focus stays in the input, arrows
 * move the active option, Enter opens it, Escape closes and gives focus back.
 */
import { useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { useTranslations } from "next-intl";
import type { RoomEntry } from "@/server/contract";
import { fuzzyFilter } from "./fuzzy";

export function QuickSwitcher(props: { rooms: RoomEntry[]; current: string | null; onClose: () => void }) {
  const { rooms, current, onClose } = props;
  const t = useTranslations("switcher");
  const router = useRouter();
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const results = useMemo(() => fuzzyFilter(query, rooms, (r) => r.name).slice(0, 20), [query, rooms]);
  const choice = results[Math.min(active, results.length - 1)];

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    input.current?.focus();
    return () => before?.focus?.();
  }, []);
  useEffect(() => setActive(0), [query]);

  const open = (room: RoomEntry | undefined) => {
    if (!room) return;
    onClose();
    if (room.slug !== current) router.push(`/r/${encodeURIComponent(room.slug)}`);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setActive((i) => (results.length ? (i + 1) % results.length : 0));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((i) => (results.length ? (i - 1 + results.length) % results.length : 0));
    } else if (e.key === "Enter") {
      e.preventDefault();
      open(choice);
    } else if (e.key === "Escape") {
      e.preventDefault();
      onClose();
    } else if (e.key === "Tab") {
      // A modal: Tab stays in the input.
      e.preventDefault();
    }
  };

  return (
    <div className="fixed inset-0 z-50 flex items-start justify-center bg-slate-900/40 p-4 pt-[12vh]" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div role="dialog" aria-modal="true" aria-label={t("title")} className="w-full max-w-md overflow-hidden rounded-xl border border-slate-200 bg-white shadow-2xl dark:border-slate-700 dark:bg-slate-900">
        <input
          ref={input}
          role="combobox"
          aria-expanded="true"
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={choice ? `${listId}-${choice.slug}` : undefined}
          aria-label={t("label")}
          placeholder={t("placeholder")}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onKeyDown}
          data-testid="switcher-input"
          className="w-full border-b border-slate-200 bg-transparent px-4 py-3 text-base outline-none placeholder:text-slate-400 dark:border-slate-700"
        />
        <ul id={listId} role="listbox" aria-label={t("results")} className="max-h-80 overflow-y-auto p-1">
          {results.map((r, i) => (
            <li
              key={r.slug}
              id={`${listId}-${r.slug}`}
              role="option"
              aria-selected={choice?.slug === r.slug}
              onMouseEnter={() => setActive(i)}
              onMouseDown={(e) => (e.preventDefault(), open(r))}
              className={`flex cursor-pointer items-center gap-2 rounded-md px-3 py-2 text-sm ${choice?.slug === r.slug ? "bg-indigo-600 text-white" : "text-slate-700 dark:text-slate-200"}`}
            >
              <span aria-hidden="true" className="opacity-60">{r.kind === "dm" ? "@" : "#"}</span>
              <span className="flex-1 truncate">{r.name}</span>
              {r.unread ? <span className="text-xs opacity-80">{t("unread", { count: r.unread })}</span> : null}
            </li>
          ))}
          {results.length === 0 ? <li className="px-3 py-2 text-sm text-slate-500 dark:text-slate-400">{t("none")}</li> : null}
        </ul>
        <p className="border-t border-slate-200 px-4 py-2 text-xs text-slate-500 dark:border-slate-700 dark:text-slate-400">{t("hint")}</p>
      </div>
    </div>
  );
}
