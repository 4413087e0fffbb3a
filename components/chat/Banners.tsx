"use client";
/**
 * Admin announcements at the top of a room. Info and warning banners can be
 * dismissed (remembered in this browser); critical ones stay until they expire
 * or are retracted. On small screens (< 640 px) each banner starts as one
 * line, with a button to expand it when its text does not fit, so a long
 * announcement does not push the conversation off the screen; and of several
 * banners only the first shows there, with a button for the others.
 */
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { useNow, useTranslations } from "next-intl";
import type { Broadcast } from "@/server/contract";
import { Markdown } from "@/components/markdown/Markdown";

const DISMISSED_KEY = "relay-dismissed-broadcasts";

const STYLE: Record<Broadcast["level"], string> = {
  info: "border-indigo-200 bg-indigo-50 text-indigo-900 dark:border-indigo-900 dark:bg-indigo-950 dark:text-indigo-100",
  warning: "border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100",
  critical: "border-red-300 bg-red-50 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100",
};

/** The banner's text: clamped to one line below 640 px until expanded. */
function Collapsible({ id, children }: { id: string; children: ReactNode }) {
  const t = useTranslations("banner");
  const ref = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState(false);
  const [overflows, setOverflows] = useState(false);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Measured while clamped: only then does hidden text make it taller inside than out.
    const measure = () => setOverflows(el.scrollHeight > el.clientHeight + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const textId = `banner-text-${id}`;
  return (
    <>
      <div ref={ref} id={textId} className={`min-w-0 flex-1 break-words ${open ? "" : "max-sm:line-clamp-1"}`}>
        {children}
      </div>
      {open || overflows ? (
        <button
          type="button"
          onClick={() => setOpen(!open)}
          aria-expanded={open}
          aria-controls={textId}
          className="shrink-0 rounded px-1 text-xs font-medium underline sm:hidden"
        >
          {open ? t("less") : t("more")}
        </button>
      ) : null}
    </>
  );
}

function readDismissed(): string[] {
  try {
    return JSON.parse(localStorage.getItem(DISMISSED_KEY) ?? "[]") as string[];
  } catch {
    return [];
  }
}

export function Banners({ broadcasts, preview = false }: { broadcasts: Broadcast[]; preview?: boolean }) {
  const t = useTranslations("banner");
  const now = useNow({ updateInterval: 15_000 });
  const [dismissed, setDismissed] = useState<string[]>([]);
  const [showAll, setShowAll] = useState(false);
  useEffect(() => setDismissed(readDismissed()), []);

  const visible = broadcasts.filter(
    (b) => preview || ((!b.expiresAt || Date.parse(b.expiresAt) > now.getTime()) && (b.level === "critical" || !dismissed.includes(b.id))),
  );
  if (visible.length === 0) return null;

  const dismiss = (id: string) => {
    // Keep the list short: only ids that are still being shown matter.
    const next = [...dismissed.filter((d) => broadcasts.some((b) => b.id === d)), id];
    setDismissed(next);
    localStorage.setItem(DISMISSED_KEY, JSON.stringify(next));
  };

  return (
    <div className="space-y-1 px-3 pt-2 sm:px-5" data-testid="banners">
      {visible.map((b, i) => (
        <div
          key={b.id}
          role={b.level === "critical" ? "alert" : "status"}
          data-level={b.level}
          data-testid="banner"
          className={`flex items-start gap-3 rounded-lg border px-3 py-2 text-sm ${STYLE[b.level]} ${i > 0 && !showAll && !preview ? "max-sm:hidden" : ""}`}
        >
          <span className="font-semibold">{t(`level.${b.level}`)}</span>
          <Collapsible id={b.id}>
            <Markdown text={b.text} tone="inherit" />
          </Collapsible>
          {b.level !== "critical" && !preview ? (
            <button type="button" onClick={() => dismiss(b.id)} className="shrink-0 rounded px-1 font-medium underline" aria-label={t("dismiss")}>
              ×
            </button>
          ) : null}
        </div>
      ))}
      {visible.length > 1 && !preview ? (
        <button
          type="button"
          onClick={() => setShowAll(!showAll)}
          aria-expanded={showAll}
          className="rounded px-1 text-xs font-medium text-slate-700 underline sm:hidden dark:text-slate-300"
        >
          {showAll ? t("fewer") : t("others", { count: visible.length - 1 })}
        </button>
      ) : null}
    </div>
  );
}
