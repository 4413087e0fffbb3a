"use client";
/**
 * The /search page's results: hits newest first with their room, author and
 * time, the matches highlighted; "More results" follows `next`. A hit opens
 * its room at the message (`/r/<slug>?around=<seq>`).
 */
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import type { Message } from "@/server/contract";
import { api } from "@/components/lib/api";
import { useErrorText } from "@/components/lib/errors";
import { Avatar } from "@/components/ui/Avatar";
import { Snippet } from "./Snippet";

interface Hit {
  message: Message;
  room: { slug: string; name: string; kind: "room" | "dm" };
  highlights: [number, number][];
}

/** One page: enough to fill a screen, small enough to answer fast. */
const PAGE = 20;

export const contextHref = (hit: { room: { slug: string }; message: { seq: number } }) =>
  `/r/${encodeURIComponent(hit.room.slug)}?around=${hit.message.seq}#m-${hit.message.seq}`;

type State = { kind: "idle" } | { kind: "loading" } | { kind: "error"; error: unknown } | { kind: "ready"; hits: Hit[]; next?: string; more: boolean };

export function SearchResults({ q, room }: { q: string; room?: string }) {
  const t = useTranslations("search");
  const errorText = useErrorText();
  const format = useFormatter();
  const [state, setState] = useState<State>({ kind: q.trim() ? "loading" : "idle" });

  const load = useCallback(
    async (before?: string) => {
      const params = new URLSearchParams({ q, limit: String(PAGE) });
      if (room) params.set("room", room);
      if (before) params.set("before", before);
      if (before) setState((cur) => (cur.kind === "ready" ? { ...cur, more: true } : cur));
      try {
        const page = await api<{ hits: Hit[]; next?: string }>(`/api/search?${params}`);
        setState((cur) => ({
          kind: "ready",
          hits: before && cur.kind === "ready" ? [...cur.hits, ...page.hits] : page.hits,
          next: page.next,
          more: false,
        }));
      } catch (err) {
        setState({ kind: "error", error: err });
      }
    },
    [q, room],
  );

  useEffect(() => {
    if (!q.trim()) return setState({ kind: "idle" });
    setState({ kind: "loading" });
    void load();
  }, [q, load]);

  if (state.kind === "idle") return <p className="py-10 text-center text-sm text-slate-500 dark:text-slate-400">{t("hint")}</p>;
  if (state.kind === "loading") {
    return (
      <ul className="space-y-2" aria-busy="true" aria-label={t("loading")}>
        {[0, 1, 2].map((i) => (
          <li key={i} className="h-20 animate-pulse rounded-xl bg-slate-200 dark:bg-slate-800" />
        ))}
      </ul>
    );
  }
  if (state.kind === "error") {
    return (
      <p role="alert" className="rounded-xl border border-red-200 bg-red-50 p-4 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
        {errorText(state.error)}
      </p>
    );
  }
  return (
    <section aria-live="polite">
      <p className="mb-3 text-sm text-slate-500 dark:text-slate-400">
        {state.hits.length === 0 ? t("none", { q }) : state.next ? t("someMore", { count: state.hits.length }) : t("count", { count: state.hits.length })}
      </p>
      <ol className="space-y-2" data-testid="search-results">
        {state.hits.map((hit) => (
          <li key={hit.message.id}>
            <Link
              href={contextHref(hit)}
              data-testid="search-hit"
              className="block rounded-xl border border-slate-200 bg-white p-3 transition hover:border-indigo-300 hover:shadow-sm focus-visible:border-indigo-400 dark:border-slate-800 dark:bg-slate-900 dark:hover:border-indigo-700"
            >
              <div className="mb-1 flex min-w-0 items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
                <span className="truncate rounded bg-slate-100 px-1.5 py-0.5 font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-200" data-testid="search-hit-room">
                  {hit.room.kind === "dm" ? `@ ${hit.room.name}` : `# ${hit.room.name}`}
                </span>
                <span className="flex-1" />
                <time dateTime={hit.message.createdAt} className="shrink-0">
                  {format.dateTime(new Date(hit.message.createdAt), { dateStyle: "medium", timeStyle: "short" })}
                </time>
              </div>
              <div className="flex gap-2.5">
                <Avatar id={hit.message.author.id} name={hit.message.author.name} size="sm" />
                <p className="min-w-0 flex-1 text-sm leading-relaxed">
                  <span className="mr-1.5 font-semibold">{hit.message.author.name}</span>
                  <Snippet body={hit.message.body} highlights={hit.highlights} />
                </p>
              </div>
            </Link>
          </li>
        ))}
      </ol>
      {state.next ? (
        <div className="mt-4 text-center">
          <button
            type="button"
            onClick={() => void load(state.next)}
            disabled={state.more}
            className="rounded-lg border border-slate-300 px-4 py-2 text-sm font-medium hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800"
          >
            {state.more ? t("loading") : t("more")}
          </button>
        </div>
      ) : null}
    </section>
  );
}
