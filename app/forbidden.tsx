import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { AppHeader } from "@/components/layout/AppHeader";
import { currentActor } from "@/components/lib/session";

/**
 * Rendered by forbidden() with status 403 (experimental.authInterrupts in
 * next.config.js). The header stays, so the visitor can sign out and in as
 * someone else.
 */
export default async function Forbidden() {
  const t = await getTranslations("admin.forbidden");
  const me = await currentActor();
  return (
    <>
      <AppHeader me={me} />
      <main className="flex flex-1 flex-col items-center justify-center gap-3 p-6 text-center" data-testid="forbidden">
        <p className="text-sm font-semibold text-slate-500 dark:text-slate-400">403</p>
        <h1 className="text-2xl font-bold">{t("title")}</h1>
        <p className="max-w-md text-slate-600 dark:text-slate-400">{t("body")}</p>
        <Link href="/" className="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500">
          {t("home")}
        </Link>
      </main>
    </>
  );
}
