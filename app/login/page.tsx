import { Suspense } from "react";
import { redirect } from "next/navigation";
import { AuthPanel } from "@/components/auth/AuthPanel";
import { AppHeader } from "@/components/layout/AppHeader";
import { authSettings, currentActor } from "@/components/lib/session";

export const dynamic = "force-dynamic";

export default async function LoginPage() {
  if (await currentActor()) redirect("/");
  return (
    <>
      <AppHeader me={null} />
      <div className="flex flex-1 overflow-y-auto">
        <Suspense>
          <AuthPanel minPasswordLength={authSettings().minPasswordLength} />
        </Suspense>
      </div>
    </>
  );
}
