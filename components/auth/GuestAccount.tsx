"use client";
/**
 * For guests in the header: "Create account" keeps everything (the same
 * user becomes registered: POST /api/me/upgrade), and signing out first
 * warns that a guest identity cannot be signed back into, offering to
 * register instead.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { api, ApiError } from "@/components/lib/api";

function Dialog(props: { label: string; onClose: () => void; children: React.ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    box.current?.querySelector<HTMLElement>("input,button")?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      before?.focus?.();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/50 p-4" onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}>
      <div ref={box} role="dialog" aria-modal="true" aria-label={props.label} className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-5 text-slate-800 shadow-2xl dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100">
        {props.children}
      </div>
    </div>
  );
}

const input = "mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base dark:border-slate-700 dark:bg-slate-950";
const primary = "rounded-lg bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50";
const secondary = "rounded-lg px-3 py-2 text-sm font-medium text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800";

export function GuestAccount(props: { name: string; minPasswordLength?: number; signOut: () => void }) {
  const t = useTranslations("account");
  const [mode, setMode] = useState<"idle" | "register" | "warn">("idle");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = useId();
  const min = props.minPasswordLength ?? 8;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api("/api/me/upgrade", { method: "POST", body: { username, password } });
      // The same session, now registered: reload, so the page and its connection start over as the account.
      setMode("idle");
      window.location.reload();
    } catch (err) {
      const code = err instanceof ApiError ? err.code : "network";
      setError(code === "conflict" ? t("taken") : code === "invalid" ? t("invalid", { min }) : code === "rate_limited" ? t("rateLimited") : t("failed"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" onClick={() => setMode("register")} data-testid="create-account" className="whitespace-nowrap rounded-md bg-indigo-600 px-2 py-1 text-xs font-semibold text-white hover:bg-indigo-500">
        {t("create")}
      </button>
      <button type="button" onClick={() => setMode("warn")} className="whitespace-nowrap rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800">
        {t("signOut")}
      </button>
      {mode === "register" ? (
        <Dialog label={t("registerTitle")} onClose={() => setMode("idle")}>
          <form onSubmit={submit} className="space-y-3">
            <h2 className="text-lg font-semibold">{t("registerTitle")}</h2>
            <p className="text-sm text-slate-600 dark:text-slate-400">{t("registerBody", { name: props.name })}</p>
            <label className="block text-sm font-medium" htmlFor={`${ids}-u`}>
              {t("username")}
              <input id={`${ids}-u`} className={input} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" required minLength={3} maxLength={30} pattern="[A-Za-z0-9_.]{3,30}" aria-describedby={`${ids}-uh`} />
            </label>
            <p id={`${ids}-uh`} className="-mt-2 text-xs text-slate-500 dark:text-slate-400">{t("usernameHint")}</p>
            <label className="block text-sm font-medium" htmlFor={`${ids}-p`}>
              {t("password")}
              <input id={`${ids}-p`} type="password" className={input} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" required minLength={min} maxLength={128} aria-describedby={`${ids}-ph`} />
            </label>
            <p id={`${ids}-ph`} className="-mt-2 text-xs text-slate-500 dark:text-slate-400">{t("passwordHint", { min })}</p>
            {error ? <p role="alert" className="text-sm text-red-600 dark:text-red-400">{error}</p> : null}
            <div className="flex justify-end gap-2 pt-1">
              <button type="button" onClick={() => setMode("idle")} className={secondary}>{t("cancel")}</button>
              <button type="submit" disabled={busy} className={primary} data-testid="upgrade-submit">{busy ? t("working") : t("submit")}</button>
            </div>
          </form>
        </Dialog>
      ) : null}
      {mode === "warn" ? (
        <Dialog label={t("warnTitle")} onClose={() => setMode("idle")}>
          <h2 className="text-lg font-semibold">{t("warnTitle")}</h2>
          <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">{t("warnBody", { name: props.name })}</p>
          <div className="mt-4 flex flex-wrap justify-end gap-2">
            <button type="button" onClick={() => setMode("idle")} className={secondary}>{t("cancel")}</button>
            <button type="button" onClick={props.signOut} className="rounded-lg px-3 py-2 text-sm font-medium text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950" data-testid="signout-anyway">{t("signOutAnyway")}</button>
            <button type="button" onClick={() => setMode("register")} className={primary}>{t("registerFirst")}</button>
          </div>
        </Dialog>
      ) : null}
    </>
  );
}
