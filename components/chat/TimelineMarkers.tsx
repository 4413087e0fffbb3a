"use client";
/** What MessageList draws between and beside messages; the rules are in ./timeline.ts. */
import { useEffect, useState } from "react";
import { useFormatter, useNow, useTranslations } from "next-intl";
import { clockOffset, onClockChange } from "@/components/lib/clock";
import type { Marker } from "./timeline";

/** "Now" on the server's clock, re-rendered every `intervalMs` and when the offset is learnt. */
export function useServerNow(intervalMs = 30_000): Date {
  const now = useNow({ updateInterval: intervalMs });
  const [offset, setOffset] = useState(clockOffset);
  useEffect(() => onClockChange(() => setOffset(clockOffset())), []);
  return new Date(now.getTime() + offset);
}

export function TimelineMarkers({ marker }: { marker: Marker | undefined }) {
  const t = useTranslations("read");
  const format = useFormatter();
  if (!marker) return null;
  const day = marker.day;
  return (
    <>
      {day ? (
        // A list item holding the separator: an <ol> may only hold items.
        <li className="my-3 list-none">
        <div role="separator" aria-label={day.kind === "date" ? format.dateTime(day.date, { dateStyle: "full" }) : t(day.kind)} className="flex items-center gap-3 text-xs font-medium text-slate-500 dark:text-slate-400" data-testid="day-separator">
          <span aria-hidden="true" className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
          <span aria-hidden="true">{day.kind === "date" ? format.dateTime(day.date, { weekday: "long", month: "long", day: "numeric", year: day.date.getFullYear() === new Date().getFullYear() ? undefined : "numeric" }) : t(day.kind)}</span>
          <span aria-hidden="true" className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
        </div>
        </li>
      ) : null}
      {marker.unread ? (
        <li className="my-2 list-none">
        <div role="separator" aria-label={t("divider")} data-unread-divider="" data-testid="unread-divider" className="flex items-center gap-3 text-xs font-semibold text-rose-700 dark:text-rose-400">
          <span aria-hidden="true" className="h-px flex-1 bg-rose-500/70" />
          <span aria-hidden="true">{t("divider")}</span>
          <span aria-hidden="true" className="h-px flex-1 bg-rose-500/70" />
        </div>
        </li>
      ) : null}
    </>
  );
}

/** A grouped line's time (no header of its own): shown on hover or focus. */
export function HoverTime({ iso }: { iso: string }) {
  const format = useFormatter();
  return (
    <time dateTime={iso} className="block pt-1 text-right text-[10px] leading-5 text-slate-500 opacity-0 group-focus-within:opacity-100 group-hover:opacity-100 dark:text-slate-400">
      {format.dateTime(new Date(iso), { hour: "numeric", minute: "2-digit" })}
    </time>
  );
}
