import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Diagnostics } from "@/components/diagnostics/Diagnostics";
import { AppHeader } from "@/components/layout/AppHeader";
import { currentActor } from "@/components/lib/session";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("diagnostics");
  return { title: t("title") };
}

/** Connection diagnostics, for every signed-in user (admins included). */
export default async function DiagnosticsPage() {
  const me = await currentActor();
  if (!me) redirect("/login?next=/diagnostics");
  return (
    <>
      <AppHeader me={me} />
      <div className="flex-1 overflow-y-auto">
        <Diagnostics />
      </div>
    </>
  );
}
