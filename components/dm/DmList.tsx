"use client";
/** The lobby's direct messages, apart from the rooms: each titled with the other person's name. */
import Link from "next/link";
import { useEffect, useState } from "react";
import { useFormatter, useNow, useTranslations } from "next-intl";
import type { RoomSummary } from "@/server/contract";
import { api } from "@/components/lib/api";
import { Avatar } from "@/components/ui/Avatar";

/** Previews change as people write; refresh as often as the room list does. */
const REFRESH_MS = 15_000;

export function DmList() {
  const t = useTranslations("dm");
  const format = useFormatter();
  const now = useNow({ updateInterval: 30_000 });
  const [dms, setDms] = useState<RoomSummary[] | null>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      api<{ dms: RoomSummary[] }>("/api/dms")
        .then((r) => live && setDms(r.dms))
        .catch(() => live && setDms((cur) => cur ?? []));
    void load();
    const timer = setInterval(() => document.visibilityState === "visible" && void load(), REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);

  return (
    <section aria-labelledby="dm-title" className="mb-6">
      <h2 id="dm-title" className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
        {t("title")}
      </h2>
      {dms === null ? (
        <div className="h-12 animate-pulse rounded-xl bg-slate-200 dark:bg-slate-800" aria-busy="true" aria-label={t("loading")} />
      ) : dms.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 px-4 py-3 text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">{t("empty")}</p>
      ) : (
        <ul className="divide-y divide-slate-200 overflow-hidden rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900" data-testid="dms">
          {dms.map((dm) => (
            <li key={dm.slug}>
              <Link href={`/r/${dm.slug}`} className="flex items-center gap-3 px-4 py-2.5 hover:bg-slate-50 dark:hover:bg-slate-800/60">
                <Avatar id={dm.peer?.id ?? dm.slug} name={dm.name} />
                <span className="min-w-0 flex-1">
                  <span className="block truncate font-medium">{dm.name}</span>
                  <span className="block truncate text-sm text-slate-500 dark:text-slate-400">
                    {dm.lastMessage ? `${dm.lastMessage.author}: ${dm.lastMessage.body}` : t("noMessages")}
                  </span>
                </span>
                {dm.lastMessage ? (
                  <time dateTime={dm.lastMessage.createdAt} className="shrink-0 text-xs text-slate-500 dark:text-slate-400">
                    {format.relativeTime(new Date(dm.lastMessage.createdAt), now)}
                  </time>
                ) : null}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
