"use client";
/** Above the log while there are messages new since the last visit: jump to the latest, or mark all read. */
import { useTranslations } from "next-intl";

export function ReadBar(props: { count: number; onJump: () => void; onMarkRead: () => void }) {
  const t = useTranslations("read");
  if (props.count <= 0) return null;
  const button = "whitespace-nowrap rounded-md px-2 py-1 text-xs font-semibold hover:bg-indigo-100 dark:hover:bg-indigo-900/60";
  return (
    <div className="flex flex-wrap items-center gap-x-2 gap-y-1 border-b border-indigo-100 bg-indigo-50 px-3 py-1.5 text-sm text-indigo-900 sm:px-5 dark:border-indigo-900/60 dark:bg-indigo-950/60 dark:text-indigo-100" data-testid="read-bar">
      <span className="min-w-0 flex-1">{t("since", { count: props.count })}</span>
      <button type="button" onClick={props.onJump} className={button}>
        {t("jump")}
      </button>
      <button type="button" onClick={props.onMarkRead} className={button} data-testid="mark-read">
        {t("markRead")}
      </button>
    </div>
  );
}
