"use client";
/**
 * A message in its context: the room page opened at `?around=SEQ` (a search
 * hit) shows the page of history around that message, oldest first
 * (GET /api/rooms/:slug/messages?around=SEQ), the target highlighted and
 * scrolled into view, until the reader goes back to the live conversation.
 */
import { useEffect, useRef, useState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import type { Message } from "@/server/contract";
import { api } from "@/components/lib/api";
import { useErrorText } from "@/components/lib/errors";
import { Avatar } from "@/components/ui/Avatar";
import { Markdown } from "@/components/markdown/Markdown";

/** Messages shown around the target: a screenful either side. */
const CONTEXT_PAGE = 40;

export function ContextView({ slug, seq, onClose }: { slug: string; seq: number; onClose: () => void }) {
  const t = useTranslations("search");
  const errorText = useErrorText();
  const format = useFormatter();
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const target = useRef<HTMLLIElement>(null);

  useEffect(() => {
    let live = true;
    setMessages(null);
    api<{ messages: Message[] }>(`/api/rooms/${encodeURIComponent(slug)}/messages?around=${seq}&limit=${CONTEXT_PAGE}`)
      .then((r) => live && setMessages(r.messages))
      .catch((err) => live && setError(err));
    return () => {
      live = false;
    };
  }, [slug, seq]);

  useEffect(() => {
    target.current?.scrollIntoView({ block: "center" });
  }, [messages]);

  const found = messages?.some((m) => m.seq === seq);
  return (
    <div className="relative flex min-h-0 flex-1 flex-col" data-testid="context-view">
      <div className="flex flex-wrap items-center gap-2 border-b border-amber-200 bg-amber-50 px-3 py-1.5 text-sm text-amber-900 sm:px-5 dark:border-amber-900/60 dark:bg-amber-950/40 dark:text-amber-200">
        <span className="min-w-0 flex-1">{t("contextBanner")}</span>
        <button type="button" onClick={onClose} className="shrink-0 rounded-md bg-amber-600 px-2.5 py-1 text-xs font-medium text-white hover:bg-amber-500">
          {t("backToLatest")}
        </button>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto px-2 py-3 sm:px-4" aria-label={t("contextLabel")} role="log">
        {error ? (
          <p role="alert" className="p-4 text-sm text-red-700 dark:text-red-300">
            {errorText(error)}
          </p>
        ) : messages === null ? (
          <p role="status" className="p-4 text-sm text-slate-500 dark:text-slate-400">
            {t("loading")}
          </p>
        ) : (
          <ol className="flex flex-col gap-1">
            {!found ? <li className="p-2 text-center text-xs text-slate-500 dark:text-slate-400">{t("gone")}</li> : null}
            {messages.map((m) => {
              const here = m.seq === seq;
              return (
                <li
                  key={m.id}
                  id={`m-${m.seq}`}
                  ref={here ? target : undefined}
                  data-testid={here ? "context-target" : "context-message"}
                  aria-current={here ? "true" : undefined}
                  className={`flex gap-3 rounded-md px-2 py-1 ${here ? "bg-amber-100 ring-2 ring-amber-400 dark:bg-amber-900/30 dark:ring-amber-600" : ""}`}
                >
                  <Avatar id={m.author.id} name={m.author.name} />
                  <div className="min-w-0 flex-1">
                    <div className="flex items-baseline gap-2">
                      <span className="font-semibold">{m.author.name}</span>
                      <time dateTime={m.createdAt} className="text-xs text-slate-500 dark:text-slate-400">
                        {format.dateTime(new Date(m.createdAt), { dateStyle: "medium", timeStyle: "short" })}
                      </time>
                    </div>
                    <div className="leading-relaxed">
                      <Markdown text={m.body} />
                    </div>
                  </div>
                </li>
              );
            })}
          </ol>
        )}
      </div>
    </div>
  );
}
