import type { Metadata } from "next";
import { forbidden, redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { AuditPanel } from "@/components/admin/AuditPanel";
import { BroadcastPanel } from "@/components/admin/BroadcastPanel";
import { LiveOperations } from "@/components/admin/LiveOperations";
import { ModerationPanel } from "@/components/admin/ModerationPanel";
import { AppHeader } from "@/components/layout/AppHeader";
import { currentActor, isAdmin } from "@/components/lib/session";
import { getOps } from "@/server/ops/registry";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("admin");
  return { title: t("title") };
}

/**
 * The admin panel. Access is decided here, on the server, before anything
 * streams: signed out -> /login and back; signed in without the admin role ->
 * forbidden(), a real 403 with app/forbidden.tsx (no loading.tsx or Suspense
 * may sit above this check, or the status would already be 200). The data
 * endpoint checks the role again on every poll.
 */
export default async function AdminPage() {
  const me = await currentActor();
  if (!me) redirect("/login?next=/admin");
  if (!(await isAdmin(me))) forbidden();
  const t = await getTranslations("admin");
  // First figures rendered on the server; the section polls from there.
  const initial = (await getOps()?.stats()) ?? null;
  return (
    <>
      <AppHeader me={me} />
      <div className="flex-1 overflow-y-auto">
        <main className="mx-auto w-full max-w-5xl space-y-8 px-3 py-6 sm:px-5">
          <h1 className="text-xl font-semibold">{t("title")}</h1>
          {/* One component per section. */}
          <BroadcastPanel />
          <LiveOperations initial={initial} />
          <ModerationPanel />
          <AuditPanel />
        </main>
      </div>
    </>
  );
}
