"use client";
import { useTranslations } from "next-intl";

/**
 * Marks a guest wherever a name is shown (messages, presence, lobby, admin),
 * so a guest who picks a familiar-looking name still cannot pass for a member.
 */
export function GuestBadge() {
  const t = useTranslations("app");
  return (
    <span
      title={t("guestHint")}
      data-testid="guest-badge"
      className="shrink-0 rounded bg-slate-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-slate-600 dark:bg-slate-800 dark:text-slate-300"
    >
      {t("guest")}
    </span>
  );
}
