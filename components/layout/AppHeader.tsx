"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useLocale, useTranslations } from "next-intl";
import { closeSocket } from "@/components/lib/socket";
import { LOCALE_COOKIE, LOCALES } from "@/components/i18n/locales";
import { Avatar } from "@/components/ui/Avatar";
import { ThemeSwitcher } from "./ThemeSwitcher";
import { HeaderSearch } from "@/components/search/SearchBox";
import { GuestAccount } from "@/components/auth/GuestAccount";

export function LocaleSwitcher() {
  const t = useTranslations("app");
  const locale = useLocale();
  const router = useRouter();
  return (
    <label className="flex items-center gap-1 text-xs text-slate-700 dark:text-slate-300">
      <span className="sr-only">{t("language")}</span>
      <select
        value={locale}
        onChange={(e) => {
          document.cookie = `${LOCALE_COOKIE}=${e.target.value}; path=/; max-age=31536000; samesite=lax`;
          router.refresh();
        }}
        className="max-w-[5.25rem] rounded-md border border-slate-300 bg-white px-1 py-1 sm:px-1.5 text-slate-800 sm:max-w-none dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
      >
        {LOCALES.map((l) => (
          <option key={l} value={l}>
            {t(`locale.${l}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function AppHeader({ me }: { me: { id: string; name: string; guest: boolean; role: string } | null }) {
  const t = useTranslations("app");
  const tAdmin = useTranslations("admin");
  const router = useRouter();
  const [busy, setBusy] = useState(false);

  const signOut = async () => {
    setBusy(true);
    await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }).catch(() => {});
    closeSocket();
    router.push("/login");
    router.refresh();
  };

  return (
    <header className="flex min-w-0 items-center gap-1 border-b border-slate-200 bg-white px-2 py-2 sm:gap-3 sm:px-5 dark:border-slate-800 dark:bg-slate-900">
      <Link href="/" aria-label={t("name")} className="flex items-center gap-2 font-bold tracking-tight">
        <span className="inline-flex h-7 w-7 items-center justify-center rounded-lg bg-indigo-600 text-sm text-white" aria-hidden="true">
          R
        </span>
        {/* The mark alone on phones: the header must fit 375 px in every language. */}
        <span className="hidden sm:inline">{t("name")}</span>
      </Link>
      <div className="flex-1" />
      {me ? <HeaderSearch /> : null}
      <LocaleSwitcher />
      <ThemeSwitcher />
      {me ? (
        <div className="flex shrink-0 items-center gap-1.5 sm:gap-2">
          {/* Phones: no avatar, so the header's controls fit 375 px in every language. */}
          <span className="hidden sm:inline-flex">
            <Avatar id={me.id} name={me.name} size="sm" />
          </span>
          <span className="hidden max-w-32 truncate text-sm sm:inline" data-testid="me">
            {me.name}
          </span>
          {me.guest ? (
            <span className="shrink-0 whitespace-nowrap rounded bg-slate-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-slate-700 dark:bg-slate-800 dark:text-slate-300">
              {t("guest")}
            </span>
          ) : me.role === "admin" ? (
            // The role badge doubles as the way into the admin panel. Only a
            // convenience: /admin and its endpoint check the role themselves.
            <Link
              href="/admin"
              aria-label={tAdmin("nav")}
              title={tAdmin("nav")}
              data-testid="admin-link"
              className="shrink-0 whitespace-nowrap rounded bg-indigo-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-indigo-800 underline-offset-2 hover:bg-indigo-200 hover:underline dark:bg-indigo-950 dark:text-indigo-300 dark:hover:bg-indigo-900"
            >
              {t("admin")}
            </Link>
          ) : null}
          {me.guest ? (
            // A guest's identity cannot be signed back into: register, or be warned first.
            <GuestAccount name={me.name} signOut={signOut} />
          ) : (
          <button
            type="button"
            onClick={signOut}
            disabled={busy}
            className="shrink-0 whitespace-nowrap rounded-md px-1.5 py-1 text-sm text-slate-700 hover:bg-slate-100 sm:px-2 disabled:opacity-50 dark:text-slate-300 dark:hover:bg-slate-800"
          >
            {t("signOut")}
          </button>
          )}
        </div>
      ) : null}
    </header>
  );
}
