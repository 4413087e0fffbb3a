import { redirect } from "next/navigation";
import { RoomView } from "@/components/chat/RoomView";
import { AppHeader } from "@/components/layout/AppHeader";
import { Sidebar } from "@/components/sidebar/Sidebar";
import { currentActor } from "@/components/lib/session";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }) {
  return { title: `#${(await params).slug}` };
}

export default async function RoomPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const me = await currentActor();
  if (!me) redirect(`/login?next=${encodeURIComponent(`/r/${slug}`)}`);
  return (
    <>
      <AppHeader me={me} />
      <div className="relative flex min-h-0 min-w-0 flex-1">
        <Sidebar current={slug.toLowerCase()} me={{ id: me.id, name: me.name }} />
        <RoomView key={slug} slug={slug.toLowerCase()} me={{ id: me.id, name: me.name, role: me.role, guest: me.guest }} />
      </div>
    </>
  );
}
