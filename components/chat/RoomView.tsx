"use client";
import { roomPath } from "@/components/lib/paths";
import { useErrorText } from "@/components/lib/errors";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState, type ReactNode } from "react";
import { useFormatter, useTranslations } from "next-intl";
import type { Message, UserRef } from "@/server/contract";
import { api } from "@/components/lib/api";
import { SidebarToggle } from "@/components/sidebar/SidebarToggle";
import { ReadBar } from "./ReadBar";
import { useServerNow } from "./TimelineMarkers";
import { useReadState } from "./useReadState";
import { ConnectionBadge } from "@/components/ui/ConnectionBadge";
import { Banners } from "./Banners";
import { Composer } from "./Composer";
import { InviteForm } from "./InviteForm";
import { SharePanel } from "./SharePanel";
import { MessageList } from "./MessageList";
import { PresenceList, TypingIndicator } from "./PresenceList";
import { useConnection } from "./useConnection";
import { useRoom } from "./useRoom";
import { BlockButton } from "@/components/dm/BlockButton";
import { ContextView } from "@/components/search/ContextView";
import { SearchBox } from "@/components/search/SearchBox";

/** A small header button that opens and closes one of the room's panels. */
function PanelToggle(props: { open: boolean; onToggle: () => void; controls?: string; className?: string; children: ReactNode }) {
  return (
    <button
      type="button"
      onClick={props.onToggle}
      aria-expanded={props.open}
      aria-controls={props.controls}
      className={`shrink-0 whitespace-nowrap rounded-md border border-slate-200 px-2 py-1 text-xs font-medium dark:border-slate-700 ${props.className ?? ""}`}
    >
      {props.children}
    </button>
  );
}

export function RoomView({ slug, me }: { slug: string; me: { id: string; name: string; role: string; guest: boolean } }) {
  const t = useTranslations("room");
  const tDm = useTranslations("dm");
  const room = useRoom(slug);
  const errorText = useErrorText();
  const connection = useConnection();
  const [showPeople, setShowPeople] = useState(false);
  const [inviting, setInviting] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [replyingTo, setReplyingTo] = useState<Message | null>(null);
  const [members, setMembers] = useState<UserRef[]>([]);
  const [searching, setSearching] = useState(false);
  const name = room.room?.name ?? slug;
  const dm = room.room?.kind === "dm";
  // ?around=SEQ (a search hit): the message in its context instead of the live end.
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const around = Number(params.get("around")) || 0;
  const tComposer = useTranslations("composer");
  const format = useFormatter();
  const now = useServerNow();
  const read = useReadState(slug, room.cursor, room.load.state === "ready");
  // "Mark as read" takes the divider away; otherwise it stays where the visit began.
  const [dividerCleared, setDividerCleared] = useState(false);
  const dividerSeq = dividerCleared ? null : room.openedAtSeq;
  const sinceLastVisit = dividerSeq === null ? 0 : room.messages.filter((m) => m.seq > dividerSeq && m.author.id !== me.id).length;
  const jumpToLatest = () => {
    const log = document.querySelector<HTMLElement>('[data-testid="message-log"]');
    log?.scrollTo({ top: log.scrollHeight });
  };
  const posting = room.posting;
  const blockedReason = posting.allowed
    ? null
    : posting.reason === "muted"
      ? Date.parse(posting.until) > now.getTime()
        ? tComposer("blocked.muted", { until: format.dateTime(new Date(posting.until), { dateStyle: "medium", timeStyle: "short" }) })
        : null
      : tComposer(`blocked.${posting.reason}`);

  // Who the composer offers to mention: the room's members (or recent authors), who is online, who wrote here.
  useEffect(() => {
    let cancelled = false;
    api<{ people: UserRef[] }>(`/api/rooms/${encodeURIComponent(slug)}/people`)
      .then(({ people }) => !cancelled && setMembers(people))
      .catch(() => {});
    return () => {
      cancelled = true;
    };
  }, [slug]);
  const people = useMemo(() => {
    const byId = new Map<string, UserRef>();
    for (const u of [...room.online, ...members, ...room.messages.map((m) => m.author)]) if (!byId.has(u.id)) byId.set(u.id, u);
    return [...byId.values()];
  }, [room.online, members, room.messages]);

  if (room.revoked) {
    // The server withdrew this page's session (or this room): say so instead of failing silently.
    const signIn = room.revoked === "signed_out" || room.revoked === "token_revoked";
    return (
      <div className="mx-auto flex max-w-md flex-1 flex-col items-center justify-center gap-3 p-6 text-center" role="alert">
        <h1 className="text-lg font-semibold">{t(`revoked.${room.revoked === "token_revoked" ? "signed_out" : room.revoked}`)}</h1>
        <Link
          href={signIn ? `/login?next=${encodeURIComponent(roomPath(slug))}` : "/"}
          className="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500"
        >
          {signIn ? t("signInAgain") : t("backToLobby")}
        </Link>
      </div>
    );
  }

  if (room.load.state === "error") {
    return (
      <div className="mx-auto flex max-w-md flex-1 flex-col items-center justify-center gap-3 p-6 text-center">
        <h1 className="text-lg font-semibold">{room.load.error.code === "not_found" ? t("notFoundTitle") : t("errorTitle")}</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">{errorText(room.load.error)}</p>
        <Link href="/" className="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500">
          {t("backToLobby")}
        </Link>
      </div>
    );
  }

  return (
    <div className="flex min-h-0 min-w-0 flex-1">
      <main className="flex min-w-0 flex-1 flex-col">
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-200 bg-white px-3 py-2 sm:px-5 dark:border-slate-800 dark:bg-slate-900">
          <SidebarToggle />
          <Link href="/" className="hidden rounded-md p-1 text-slate-500 hover:bg-slate-100 md:inline dark:hover:bg-slate-800" aria-label={t("backToLobby")}>
            ←
          </Link>
          <div className="min-w-0 flex-1 basis-40">
            <h1 className="truncate text-base font-semibold">
              <span className="text-slate-400" aria-hidden="true">{dm ? "@ " : "# "}</span>
              {name}
            </h1>
            {dm ? (
              <p className="truncate text-xs text-slate-500 dark:text-slate-400">{tDm("subtitle")}</p>
            ) : room.room?.topic ? (
              <p className="truncate text-xs text-slate-500 dark:text-slate-400">{room.room.topic}</p>
            ) : null}
          </div>
          <PanelToggle open={searching} onToggle={() => setSearching((v) => !v)} controls="room-search">
            {t("search")}
          </PanelToggle>
          {dm && room.room?.peer ? <BlockButton peer={room.room.peer} /> : null}
          {room.room?.visibility === "private" && !dm ? (
            <PanelToggle open={inviting} onToggle={() => setInviting((v) => !v)}>
              {t("invite")}
            </PanelToggle>
          ) : null}
          {room.room && !dm ? (
            <PanelToggle open={sharing} onToggle={() => setSharing((v) => !v)}>
              {t("share")}
            </PanelToggle>
          ) : null}
          <ConnectionBadge status={connection} />
          {/* The badge says "Reconnecting…" and "Connected"; what the resume brought in is said once here. */}
          <p className="sr-only" role="status" data-testid="caught-up" data-n={room.caughtUp?.n ?? 0}>
            {room.caughtUp && (room.caughtUp.count > 0 || room.caughtUp.reset)
              ? room.caughtUp.reset
                ? t("caughtUpReset")
                : t("caughtUp", { count: room.caughtUp.count })
              : ""}
          </p>
          <PanelToggle open={showPeople} onToggle={() => setShowPeople((v) => !v)} controls="people" className="md:hidden">
            {t("people", { count: room.onlineCount })}
          </PanelToggle>
        </div>
        <Banners broadcasts={room.broadcasts} />
        <ReadBar
          count={sinceLastVisit}
          onJump={jumpToLatest}
          onMarkRead={() => {
            read.markAllRead();
            setDividerCleared(true);
            jumpToLatest();
          }}
        />
        {showPeople ? (
          // Narrow screens: who is online opens under the header instead of a sidebar.
          <div id="people" className="max-h-60 overflow-y-auto border-b border-slate-200 bg-white md:hidden dark:border-slate-800 dark:bg-slate-900">
            <PresenceList online={room.online} count={room.onlineCount} meId={me.id} />
          </div>
        ) : null}
        {searching ? (
          <div id="room-search" className="border-b border-slate-200 bg-slate-50 px-3 py-2 sm:px-5 dark:border-slate-800 dark:bg-slate-900/60">
            <SearchBox room={slug} roomName={dm ? name : `#${name}`} autoFocus />
          </div>
        ) : null}
        {inviting ? <InviteForm slug={slug} onClose={() => setInviting(false)} /> : null}
        {sharing && room.room ? <SharePanel slug={slug} visibility={room.room.visibility} onClose={() => setSharing(false)} /> : null}
        {room.load.state === "loading" ? (
          <div className="flex flex-1 items-center justify-center" role="status">
            <span className="h-6 w-6 animate-spin rounded-full border-2 border-indigo-500 border-t-transparent" aria-hidden="true" />
            <span className="ml-3 text-sm text-slate-500 dark:text-slate-400">{t("loading")}</span>
          </div>
        ) : around ? (
          <ContextView slug={slug} seq={around} onClose={() => router.replace(pathname)} />
        ) : (
          <MessageList
            dmWith={dm ? name : null}
            me={me}
            messages={room.messages}
            outgoing={room.outgoing}
            hasOlder={room.hasOlder}
            loadingOlder={room.loadingOlder}
            onLoadOlder={room.loadOlder}
            onRetry={room.retry}
            onDiscard={room.discard}
            onEdit={room.edit}
            onDelete={room.remove}
            dividerSeq={dividerSeq}
            onAtBottom={read.setAtBottom}
            onReply={setReplyingTo}
            onReact={room.react}
            onJump={room.reveal}
          />
        )}
        <TypingIndicator users={room.typing} />
        <Composer
          roomName={name}
          dm={dm}
          room={slug}
          disabled={room.load.state !== "ready"}
          blockedReason={blockedReason}
          meId={me.id}
          people={people}
          replyingTo={replyingTo}
          onCancelReply={() => setReplyingTo(null)}
          onSend={room.send}
          onTyping={room.setMyTyping}
        />
      </main>
      <aside className="hidden w-56 shrink-0 overflow-y-auto border-l border-slate-200 bg-white md:block dark:border-slate-800 dark:bg-slate-900">
        <PresenceList online={room.online} count={room.onlineCount} meId={me.id} />
      </aside>
    </div>
  );
}
