import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { AppHeader } from "@/components/layout/AppHeader";
import { currentActor } from "@/components/lib/session";
import { SearchBox } from "@/components/search/SearchBox";
import { SearchResults } from "@/components/search/SearchResults";

export const dynamic = "force-dynamic";

export async function generateMetadata() {
  const t = await getTranslations("search");
  return { title: t("title") };
}

export default async function SearchPage({ searchParams }: { searchParams: Promise<{ q?: string | string[]; room?: string | string[] }> }) {
  const params = await searchParams;
  const q = typeof params.q === "string" ? params.q : "";
  const room = typeof params.room === "string" && params.room ? params.room : undefined;
  const me = await currentActor();
  if (!me) redirect(`/login?next=${encodeURIComponent(`/search?q=${q}`)}`);
  const t = await getTranslations("search");
  return (
    <>
      <AppHeader me={me} />
      <div className="flex-1 overflow-y-auto">
        <main className="mx-auto w-full max-w-3xl px-3 py-6 sm:px-5">
          <h1 className="mb-3 text-xl font-semibold">{!room ? t("title") : room.startsWith("dm-") ? t("titleInDm") : t("titleInRoom", { room: `#${room}` })}</h1>
          <SearchBox key={`${room ?? ""}:${q}`} initial={q} room={room} size="lg" className="mb-5" />
          <SearchResults q={q} room={room} />
        </main>
      </div>
    </>
  );
}
