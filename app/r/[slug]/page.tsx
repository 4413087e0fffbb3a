import { notFound, redirect } from "next/navigation";
import { RoomView } from "@/components/chat/RoomView";
import { AppHeader } from "@/components/layout/AppHeader";
import { Sidebar } from "@/components/sidebar/Sidebar";
import { currentActor } from "@/components/lib/session";
import { roomPath, slugFromSegment } from "@/components/lib/paths";
import { FocusOnEnter } from "@/components/ui/FocusOnEnter";
import { getContext } from "@/server/context";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }) {
  const slug = slugFromSegment((await params).slug) ?? "";
  // A DM's tab is titled with the other person's name (for its members only; anyone else gets the slug).
  if (slug.startsWith("dm-")) {
    const me = await currentActor();
    const room = me ? await getContext().rooms.access(me, slug).catch(() => null) : null;
    if (me && room) return { title: `@${(await getContext().rooms.summarize(room, me)).name}` };
  }
  return { title: `#${slug}` };
}

export default async function RoomPage({ params }: { params: Promise<{ slug: string }> }) {
  // Next may hand the segment over still percent-encoded (non-ASCII slugs).
  const slug = slugFromSegment((await params).slug);
  if (slug === null) notFound();
  const me = await currentActor();
  if (!me) redirect(`/login?next=${encodeURIComponent(roomPath(slug))}`);
  return (
    <>
      <AppHeader me={me} />
      <div className="relative flex min-h-0 min-w-0 flex-1">
        <Sidebar current={slug} me={{ id: me.id, name: me.name }} />
        <FocusOnEnter key={`focus-${slug}`} selector="#composer" />
        <RoomView key={slug} slug={slug} me={{ id: me.id, name: me.name, role: me.role, guest: me.guest }} />
      </div>
    </>
  );
}
