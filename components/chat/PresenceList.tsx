"use client";
import { useTranslations } from "next-intl";
import type { UserRef } from "@/server/contract";
import { Avatar } from "@/components/ui/Avatar";
import { GuestBadge } from "@/components/ui/GuestBadge";
import { DmButton } from "@/components/dm/DmButton";

/**
 * Who is online. In a crowd the join lists only the first names (by name)
 * and the count; the rest are summed up under the list.
 */
export function PresenceList({ online, count, meId }: { online: UserRef[]; count: number; meId: string }) {
  const t = useTranslations("presence");
  const more = count - online.length;
  return (
    <section aria-labelledby="presence-title" className="p-4">
      <h2 id="presence-title" className="mb-3 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
        {t("title", { count })}
      </h2>
      <ul className="space-y-2" data-testid="presence">
        {online.map((u) => (
          <li key={u.id} className="flex items-center gap-2 text-sm">
            <span className="relative">
              <Avatar id={u.id} name={u.name} size="sm" />
              <span className="absolute -bottom-0.5 -right-0.5 h-2.5 w-2.5 rounded-full border-2 border-white bg-emerald-500 dark:border-slate-900" aria-hidden="true" />
            </span>
            <span className="truncate">{u.name}</span>
            {u.guest ? <GuestBadge /> : null}
            {u.id === meId ? <span className="text-xs text-slate-500 dark:text-slate-400">{t("you")}</span> : <DmButton user={u} />}
          </li>
        ))}
      </ul>
      {more > 0 ? (
        <p data-testid="presence-more" className="mt-2 text-xs text-slate-500 dark:text-slate-400">
          {t("more", { count: more })}
        </p>
      ) : null}
    </section>
  );
}

export function TypingIndicator({ users }: { users: UserRef[] }) {
  const t = useTranslations("typing");
  const text =
    users.length === 0
      ? ""
      : users.length === 1
        ? t("one", { name: users[0]!.name })
        : users.length === 2
          ? t("two", { a: users[0]!.name, b: users[1]!.name })
          : t("many", { count: users.length });
  return (
    <p aria-live="polite" data-testid="typing" className="h-5 px-5 text-xs italic text-slate-500 dark:text-slate-400">
      {text}
    </p>
  );
}
