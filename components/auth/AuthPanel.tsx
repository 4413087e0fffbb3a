"use client";
/**
 * Sign-in page: join as a guest with a display name (one request), sign in,
 * or create an account with a username and password.
 */
import { useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { api, ApiError } from "@/components/lib/api";
import { closeSocket } from "@/components/lib/socket";
import { useErrorText } from "@/components/lib/errors";
import { LimitHint, charCount } from "@/components/ui/LimitHint";
import { MAX_NAME } from "@/server/contract";

type Mode = "guest" | "signin" | "register";

/** better-auth's error codes we explain in the user's language. */
const KNOWN_ERRORS = new Set([
  "PASSWORD_TOO_SHORT",
  "PASSWORD_TOO_LONG",
  "USERNAME_IS_ALREADY_TAKEN",
  "USERNAME_TOO_SHORT",
  "USERNAME_TOO_LONG",
  "INVALID_USERNAME",
  "INVALID_USERNAME_OR_PASSWORD",
  "BANNED_USER",
  "NAME_REQUIRED",
  "NAME_TOO_LONG",
  "NAME_INVISIBLE",
  "NAME_INVALID",
  "NAME_TAKEN",
  "rate_limited",
  "network",
]);

export function AuthPanel({ minPasswordLength }: { minPasswordLength: number }) {
  const t = useTranslations("auth");
  const router = useRouter();
  const params = useSearchParams();
  const [mode, setMode] = useState<Mode>("guest");
  const [name, setName] = useState("");
  const [username, setUsername] = useState("");
  const errorText = useErrorText();
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const next = params.get("next");
  const destination = next && next.startsWith("/") && !next.startsWith("//") ? next : "/";

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === "guest") await api("/api/auth/sign-in/anonymous", { method: "POST", body: { name } });
      else if (mode === "signin") await api("/api/auth/sign-in/username", { method: "POST", body: { username, password } });
      else await api("/api/auth/sign-up/email", { method: "POST", body: { username, password } });
      closeSocket(); // reconnect with the new session cookie
      router.replace(destination);
      router.refresh();
    } catch (err) {
      if (err instanceof ApiError && KNOWN_ERRORS.has(err.code)) setError(t(`errors.${err.code}`, { min: minPasswordLength, max: MAX_NAME }));
      else setError(errorText(err));
      setBusy(false);
    }
  };

  const tab = (m: Mode) =>
    `flex-1 rounded-md px-3 py-2 text-sm font-medium ${mode === m ? "bg-white shadow-sm dark:bg-slate-700" : "text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"}`;
  const field = "w-full rounded-lg border border-slate-300 bg-white px-3 py-2.5 text-base dark:border-slate-700 dark:bg-slate-950";

  return (
    <main className="flex flex-1 items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm">
        <h1 className="mb-1 text-center text-2xl font-bold tracking-tight">{t("title")}</h1>
        <p className="mb-6 text-center text-sm text-slate-600 dark:text-slate-400">{t("subtitle")}</p>
        <div role="tablist" aria-label={t("modes")} className="mb-4 flex gap-1 rounded-lg bg-slate-100 p-1 dark:bg-slate-800">
          {(["guest", "signin", "register"] as const).map((m) => (
            <button key={m} type="button" role="tab" aria-selected={mode === m} aria-controls="auth-form" onClick={() => (setMode(m), setError(null))} className={tab(m)}>
              {t(`tab.${m}`)}
            </button>
          ))}
        </div>
        <form id="auth-form" role="tabpanel" onSubmit={submit} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900">
          {mode === "guest" ? (
            <div>
              <label htmlFor="guest-name" className="mb-1 block text-sm font-medium">{t("displayName")}</label>
              <input
                id="guest-name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                required
                aria-invalid={charCount(name) > MAX_NAME}
                aria-describedby="guest-name-hint guest-name-limit"
                autoComplete="nickname"
                className={field}
                autoFocus
              />
              <p id="guest-name-hint" className="mt-1 text-xs text-slate-600 dark:text-slate-400">{t("guestHint")}</p>
              <LimitHint id="guest-name-limit" value={name} max={MAX_NAME} />
            </div>
          ) : (
            <>
              <div>
                <label htmlFor="username" className="mb-1 block text-sm font-medium">{t("username")}</label>
                <input id="username" value={username} onChange={(e) => setUsername(e.target.value)} required minLength={3} maxLength={30} autoComplete="username" className={field} autoFocus />
                {mode === "register" ? <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">{t("usernameHint")}</p> : null}
              </div>
              <div>
                <label htmlFor="password" className="mb-1 block text-sm font-medium">{t("password")}</label>
                <input
                  id="password"
                  type="password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  required
                  autoComplete={mode === "register" ? "new-password" : "current-password"}
                  className={field}
                  aria-describedby={mode === "register" ? "password-hint" : undefined}
                />
                {mode === "register" ? <p id="password-hint" className="mt-1 text-xs text-slate-500 dark:text-slate-400">{t("passwordHint", { min: minPasswordLength })}</p> : null}
              </div>
            </>
          )}
          {error ? <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">{error}</p> : null}
          <button type="submit" disabled={busy} className="w-full rounded-lg bg-indigo-600 py-2.5 font-medium text-white hover:bg-indigo-500 disabled:opacity-60">
            {busy ? t("working") : t(`submit.${mode}`)}
          </button>
        </form>
      </div>
    </main>
  );
}
