import { redirect } from "next/navigation";
import { AppHeader } from "@/components/layout/AppHeader";
import { Lobby } from "@/components/lobby/Lobby";
import { currentActor } from "@/components/lib/session";

export const dynamic = "force-dynamic";

export default async function LobbyPage() {
  const me = await currentActor();
  if (!me) redirect("/login");
  return (
    <>
      <AppHeader me={me} />
      <div className="flex-1 overflow-y-auto">
        <Lobby />
      </div>
    </>
  );
}
