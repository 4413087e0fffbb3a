"use client";
/**
 * The message log. Keeps the view pinned to the bottom while the reader is
 * there; when they have scrolled up it leaves the view alone and counts what
 * arrived in a "N new messages" button. Scrolling near the top loads the
 * previous page and restores the scroll offset so nothing jumps.
 */
import { Fragment, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { useFormatter, useNow, useTranslations } from "next-intl";
import { useErrorText } from "@/components/lib/errors";
import type { Message, WireError } from "@/server/contract";
import { Avatar } from "@/components/ui/Avatar";
import { Markdown } from "@/components/markdown/Markdown";
import { GuestBadge } from "@/components/ui/GuestBadge";
import { AuthorName } from "@/components/dm/DmButton";
import { ReportButton } from "@/components/dm/ReportButton";
import type { Outgoing } from "./useRoom";
import { notAfter } from "@/components/lib/clock";
import { timelineMarkers } from "./timeline";
import { HoverTime, TimelineMarkers, useServerNow } from "./TimelineMarkers";
import { EmojiPicker, ReactionBar } from "./Reactions";

/** Messages by the same author closer than this are drawn as one group. */
const GROUP_WINDOW_MS = 5 * 60_000;
/** "At the bottom" tolerance, so a pixel of rounding does not count as scrolled up. */
const BOTTOM_SLACK_PX = 80;
const TOP_LOAD_PX = 120;
/** How long a message jumped to stays highlighted. */
const HIGHLIGHT_MS = 2_500;

interface Props {
  /** In a DM, the other person: the empty state and the start of the log address them. */
  dmWith?: string | null;
  me: { id: string; name: string; role?: string; guest: boolean };
  messages: Message[];
  outgoing: Outgoing[];
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
  onEdit: (id: string, body: string) => Promise<WireError | null>;
  onDelete: (id: string) => Promise<WireError | null>;
  /** The reader's read position when the room opened: the "new since your last visit" divider, and where the view starts. */
  dividerSeq?: number | null;
  /** Told whenever the reader reaches or leaves the bottom (reading marks the room read). */
  onAtBottom?: (atBottom: boolean) => void;
  onReply: (message: Message) => void;
  onReact: (id: string, emoji: string) => Promise<WireError | null>;
  /** Shows the original of a reply (loading it if needed) and highlights it. */
  onJump: (id: string, seq: number) => Promise<boolean>;
}

/** A one-line excerpt without its markdown marks: `**bold**` reads "bold", `[text](url)` reads "text". */
function plain(excerpt: string): string {
  return excerpt
    .replace(/!?\[([^\]]*)\]\([^)]*\)?/g, "$1")
    .replace(/(\*\*|__|~~|`+)(?=\S)([^]*?\S)\1/g, "$2")
    .replace(/(^|\s)[*_](?=\S)([^*_]*?\S)[*_](?=\s|$|[.,!?])/g, "$1$2")
    .replace(/^(?:>\s?)+/, "");
}

/** The quoted line above a reply: who and what it answers; a click goes to the original. */
function ReplyQuote({ reply, onJump }: { reply: NonNullable<Message["replyTo"]>; onJump: Props["onJump"] }) {
  const t = useTranslations("replies");
  const [missing, setMissing] = useState(false);
  if (reply.deleted) {
    return (
      <p className="mb-0.5 flex items-center gap-1.5 text-xs italic text-slate-400 dark:text-slate-500" data-testid="reply-quote">
        <span aria-hidden="true">↩</span>
        {t("deleted")}
      </p>
    );
  }
  return (
    <button
      type="button"
      onClick={async () => setMissing(!(await onJump(reply.id, reply.seq)))}
      data-testid="reply-quote"
      aria-label={t("jump", { name: reply.author.name })}
      className="mb-0.5 flex max-w-full items-center gap-1.5 rounded border-l-2 border-indigo-300 py-0.5 pl-2 pr-1 text-left text-xs text-slate-500 hover:bg-slate-200/60 hover:text-slate-700 dark:border-indigo-500/60 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-slate-200"
    >
      <span aria-hidden="true">↩</span>
      <span className="shrink-0 font-semibold text-slate-600 dark:text-slate-300">{reply.author.name}</span>
      <span className="truncate">{plain(reply.excerpt)}</span>
      {missing ? <span className="shrink-0 text-red-600 dark:text-red-400">{t("notFound")}</span> : null}
    </button>
  );
}

/** Reply, react, edit and delete controls of one message, with inline editing and an inline confirmation. */
function MessageTools(props: {
  message: Message;
  mine: boolean;
  admin: boolean;
  onEdit: Props["onEdit"];
  onDelete: Props["onDelete"];
  onReply: Props["onReply"];
  onReact: (emoji: string) => void;
  /** Shown without hover: opened by the "more" button or a long-press (touch screens). */
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const { message, mine, admin, onEdit, onDelete, onReply, onReact, open, onOpenChange } = props;
  const t = useTranslations("room");
  const tr = useTranslations("reactions");
  const errorText = useErrorText();
  const [mode, setMode] = useState<"idle" | "editing" | "confirming" | "picking">("idle");
  const [draft, setDraft] = useState(message.body);
  const [error, setError] = useState<string | null>(null);
  const reactButton = useRef<HTMLButtonElement>(null);

  const save = async () => {
    const err = await onEdit(message.id, draft);
    if (err) return setError(errorText(err));
    setError(null);
    setMode("idle");
  };
  const confirmDelete = async () => {
    const err = await onDelete(message.id);
    if (err) setError(errorText(err));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Escape") setMode("idle");
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void save();
    }
  };

  const small = "rounded px-1.5 py-0.5 text-xs font-medium hover:bg-slate-200 dark:hover:bg-slate-800";
  if (mode === "editing") {
    return (
      <div className="mt-1 space-y-1">
        <label htmlFor={`edit-${message.id}`} className="sr-only">{t("editLabel")}</label>
        <textarea
          id={`edit-${message.id}`}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          autoFocus
          rows={2}
          className="w-full rounded-md border border-slate-300 bg-white p-2 text-sm dark:border-slate-700 dark:bg-slate-950"
        />
        <div className="flex gap-2">
          <button type="button" onClick={save} className="rounded bg-indigo-600 px-2 py-0.5 text-xs font-medium text-white hover:bg-indigo-500">{t("save")}</button>
          <button type="button" onClick={() => setMode("idle")} className={small}>{t("cancel")}</button>
        </div>
        {error ? <p role="alert" className="text-xs text-red-600 dark:text-red-400">{error}</p> : null}
      </div>
    );
  }
  if (mode === "confirming") {
    return (
      <div role="group" aria-label={t("confirmDelete")} className="mt-1 flex flex-wrap items-center gap-2 text-xs">
        <span>{t("confirmDelete")}</span>
        <button type="button" onClick={confirmDelete} className="rounded bg-red-600 px-2 py-0.5 font-medium text-white hover:bg-red-500">{t("delete")}</button>
        <button type="button" onClick={() => setMode("idle")} className={small}>{t("cancel")}</button>
        {error ? <span role="alert" className="text-red-600 dark:text-red-400">{error}</span> : null}
      </div>
    );
  }
  const shown = mode === "picking" || open;
  return (
    <>
    {/* On touch screens there is no hover: a visible button opens the actions (a long-press does too). */}
    <button
      type="button"
      onClick={() => onOpenChange(!open)}
      aria-expanded={open}
      aria-label={t("moreActions", { name: message.author.name, excerpt: excerptOf(message.body) })}
      data-testid="more-actions"
      className="absolute right-1 top-0 hidden h-8 w-8 items-center justify-center rounded-md text-slate-500 hover:bg-slate-200 pointer-coarse:inline-flex dark:text-slate-400 dark:hover:bg-slate-800"
    >
      <span aria-hidden="true">⋯</span>
    </button>
    <div
      data-testid="message-tools"
      className={`absolute -top-3 right-2 flex gap-1 rounded-md border border-slate-200 bg-white p-0.5 shadow-sm transition motion-reduce:transition-none group-hover:opacity-100 group-focus-within:opacity-100 dark:border-slate-700 dark:bg-slate-900 ${shown ? "opacity-100 pointer-coarse:right-10" : "opacity-0 pointer-coarse:pointer-events-none"}`}
    >
      <button type="button" onClick={() => onReply(message)} className={small} aria-label={t("replyTo", { name: message.author.name, excerpt: excerptOf(message.body) })}>
        {t("reply")}
      </button>
      <button
        ref={reactButton}
        type="button"
        onClick={() => setMode(mode === "picking" ? "idle" : "picking")}
        aria-expanded={mode === "picking"}
        className={small}
        aria-label={tr("add")}
      >
        {t("react")}
      </button>
      {mode === "picking" ? (
        <EmojiPicker
          onPick={onReact}
          onClose={() => (setMode("idle"), reactButton.current?.focus())}
          className="absolute right-0 top-full mt-1"
        />
      ) : null}
      {mine ? (
        <button type="button" onClick={() => (setDraft(message.body), setMode("editing"))} className={small} aria-label={t("editMessage", { excerpt: excerptOf(message.body) })}>
          {t("edit")}
        </button>
      ) : null}
      {mine || admin ? (
        <button
          type="button"
          onClick={() => setMode("confirming")}
          className={small}
          aria-label={mine ? t("deleteMyMessage", { excerpt: excerptOf(message.body) }) : t("deleteMessage", { name: message.author.name, excerpt: excerptOf(message.body) })}
        >
          {t("delete")}
        </button>
      ) : null}
    </div>
    </>
  );
}

/** A message's first words, for control names that say which message they act on. */
function excerptOf(body: string, max = 40): string {
  const flat = body.replace(/\s+/g, " ").trim();
  const chars = Array.from(flat);
  return chars.length > max ? `${chars.slice(0, max).join("")}…` : flat;
}

/** A body as it reads aloud: markdown's markers dropped (stars, backticks, quote and list marks). */
function plainOf(body: string): string {
  return body.replace(/(\*\*|__|~~|`+)/g, "").replace(/^\s*(>|[-*+]|\d+\.)\s+/gm, "");
}

/** What can take focus inside a message (its controls and links). */
const FOCUSABLE = "a[href], button, input, textarea, select, [tabindex]";

/** How many announcements the hidden live region keeps (older ones were read already). */
const ANNOUNCED_KEPT = 5;

type Row =
  | { kind: "message"; key: string; message: Message; first: boolean }
  | { kind: "outgoing"; key: string; out: Outgoing; first: boolean };

function Time({ iso }: { iso: string }) {
  const format = useFormatter();
  // On the server's clock, and never after now: skew cannot put a message in the future.
  const now = useServerNow();
  const date = notAfter(new Date(iso), now);
  const absolute = format.dateTime(date, { dateStyle: "medium", timeStyle: "short" });
  const relative = now.getTime() - date.getTime() < 45_000 ? null : format.relativeTime(date, now);
  const t = useTranslations("room");
  return (
    <time dateTime={iso} title={absolute} className="text-xs text-slate-500 dark:text-slate-400">
      {relative ?? t("justNow")}
    </time>
  );
}

export function MessageList(props: Props) {
  const { me, messages, outgoing, hasOlder, loadingOlder, onLoadOlder, onRetry, onDiscard, onEdit, onDelete, onReply, onReact, onJump } = props;
  const t = useTranslations("room");
  const [highlight, setHighlight] = useState<string | null>(null);
  const [reactError, setReactError] = useState<string | null>(null);
  // The names a mention of me is written with (display name, spaces as underscores); `@here` too when it named me.
  const myNames = useMemo(() => new Set([me.name.toLowerCase(), me.name.toLowerCase().replace(/ /g, "_")]), [me.name]);
  const myNamesHere = useMemo(() => new Set([...myNames, "here"]), [myNames]);

  const jump = async (id: string, seq: number) => {
    const found = await onJump(id, seq);
    if (!found) return false;
    // After the render that shows it: bring it into view and mark it for a moment.
    requestAnimationFrame(() => {
      const el = scroller.current?.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`);
      el?.scrollIntoView({ block: "center", behavior: "smooth" });
      el?.focus({ preventScroll: true });
    });
    setHighlight(id);
    setTimeout(() => setHighlight((h) => (h === id ? null : h)), HIGHLIGHT_MS);
    return true;
  };
  const react = async (id: string, emoji: string) => {
    const err = await onReact(id, emoji);
    setReactError(err ? errorText(err) : null);
  };
  const errorText = useErrorText();
  const scroller = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLOListElement>(null);
  // Roving tabindex: the list is one tab stop (the active message); arrows move between messages.
  const [activeKey, setActiveKey] = useState<string | null>(null);
  // The message whose actions are open without hover (touch: "more" button or long-press).
  const [openTools, setOpenTools] = useState<string | null>(null);
  // What the screen reader hears: each new message once, as "author: text" (the log itself is silent,
  // so relative times and controls are never read out as they change).
  const [announced, setAnnounced] = useState<{ id: string; text: string }[]>([]);
  const atBottom = useRef(true);
  const [unseen, setUnseen] = useState(0);
  const prev = useRef({ first: undefined as string | undefined, last: undefined as string | undefined, height: 0, top: 0, outgoing: 0 });
  const serverNow = useServerNow(60_000);
  const marks = timelineMarkers(messages, { lastReadSeq: props.dividerSeq ?? null, meId: me.id, now: serverNow });
  const setBottom = (value: boolean) => {
    atBottom.current = value;
    props.onAtBottom?.(value);
  };

  const rows: Row[] = [];
  let last: { authorId: string; at: number } | null = null;
  for (const m of messages) {
    const at = Date.parse(m.createdAt);
    const first = !last || last.authorId !== m.author.id || at - last.at > GROUP_WINDOW_MS || marks.has(m.id);
    rows.push({ kind: "message", key: m.id, message: m, first });
    last = { authorId: m.author.id, at };
  }
  for (const o of outgoing) {
    const at = Date.parse(o.createdAt);
    const first = !last || last.authorId !== me.id || at - last.at > GROUP_WINDOW_MS;
    rows.push({ kind: "outgoing", key: o.clientId, out: o, first });
    last = { authorId: me.id, at };
  }

  // After every render that changed the log: keep the reader's place.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const firstId = messages[0]?.id;
    const lastId = messages[messages.length - 1]?.id;
    const p = prev.current;
    if (p.first !== undefined && firstId !== p.first && lastId === p.last) {
      // Older page prepended: shift by the height it added.
      el.scrollTop = p.top + (el.scrollHeight - p.height);
    } else if (lastId !== p.last || outgoing.length > p.outgoing) {
      const mine = outgoing.length > p.outgoing || messages[messages.length - 1]?.author.id === me.id;
      const divider = p.last === undefined ? el.querySelector<HTMLElement>("[data-unread-divider]") : null;
      if (p.last !== undefined && lastId !== p.last) {
        // New live messages (not a first load, not an older page): announce each once.
        const from = messages.findIndex((m) => m.id === p.last);
        const fresh = (from === -1 ? messages.slice(-1) : messages.slice(from + 1)).filter((m) => m.author.id !== me.id);
        if (fresh.length) {
          setAnnounced((cur) =>
            [...cur, ...fresh.map((m) => ({ id: m.id, text: t("announce", { name: m.author.name, text: excerptOf(plainOf(m.body), 200) }) }))].slice(-ANNOUNCED_KEPT),
          );
        }
      }
      if (divider) {
        // Opening a room with unread messages: start at the first of them.
        el.scrollTop = Math.max(0, divider.offsetTop - el.offsetTop - 8);
        setBottom(el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK_PX);
      } else if (atBottom.current || mine || p.last === undefined) {
        el.scrollTop = el.scrollHeight;
        setBottom(true);
        setUnseen(0);
      } else if (p.last !== undefined) {
        const before = messages.findIndex((m) => m.id === p.last);
        setUnseen((n) => n + (before === -1 ? 1 : messages.length - 1 - before));
      }
    }
    prev.current = { first: firstId, last: lastId, height: el.scrollHeight, top: el.scrollTop, outgoing: outgoing.length };
  }, [messages, outgoing.length, me.id]);

  // Roving tabindex, applied to the DOM after each render: the active message is the list's one tab
  // stop, and only its own controls (actions, links, reactions) are in the tab order; the other
  // messages' controls are reached by moving to their message first.
  useLayoutEffect(() => {
    const ol = list.current;
    if (!ol) return;
    const items = Array.from(ol.querySelectorAll<HTMLElement>(":scope > li[data-key]"));
    const active = items.find((li) => li.dataset.key === activeKey) ?? items[items.length - 1];
    for (const li of items) {
      const on = li === active;
      li.tabIndex = on ? 0 : -1;
      for (const el of li.querySelectorAll<HTMLElement>(FOCUSABLE)) {
        if (on && el.dataset.roved !== undefined) {
          el.removeAttribute("tabindex");
          delete el.dataset.roved;
        } else if (!on && el.tabIndex >= 0) {
          el.tabIndex = -1;
          el.dataset.roved = "";
        }
      }
    }
  });

  const onListKeyDown = (e: KeyboardEvent<HTMLOListElement>) => {
    const li = e.target as HTMLElement;
    if (li.tagName !== "LI" || !li.dataset.key) return; // keys inside a control are the control's
    const items = Array.from(list.current?.querySelectorAll<HTMLElement>(":scope > li[data-key]") ?? []);
    const at = items.indexOf(li);
    const to = { ArrowUp: at - 1, ArrowDown: at + 1, Home: 0, End: items.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = items[Math.max(0, Math.min(items.length - 1, to))];
    if (!next) return;
    setActiveKey(next.dataset.key ?? null);
    next.focus();
    if (to < 0 && hasOlder && !loadingOlder) onLoadOlder();
  };

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK_PX;
    if (bottom !== atBottom.current) setBottom(bottom);
    if (bottom) setUnseen(0);
    prev.current.top = el.scrollTop;
    prev.current.height = el.scrollHeight;
    if (el.scrollTop < TOP_LOAD_PX && hasOlder && !loadingOlder) onLoadOlder();
  };

  const jumpToBottom = () => {
    const el = scroller.current;
    if (!el) return;
    el.scrollTo({ top: el.scrollHeight, behavior: "smooth" });
    setBottom(true);
    setUnseen(0);
  };

  return (
    <div className="relative min-h-0 flex-1">
      <div
        ref={scroller}
        onScroll={onScroll}
        className="h-full overflow-y-auto px-3 py-4 sm:px-5"
        role="log"
        // Silent: new messages are announced once, as "author: text", by the region below.
        aria-live="off"
        aria-label={t("messagesLabel")}
        tabIndex={rows.length ? undefined : 0}
        data-testid="message-log"
      >
        {hasOlder ? (
          <div className="mb-3 flex justify-center">
            <button
              type="button"
              onClick={onLoadOlder}
              disabled={loadingOlder}
              className="rounded-full px-3 py-1 text-xs text-slate-500 hover:bg-slate-200 disabled:opacity-60 dark:text-slate-400 dark:hover:bg-slate-800"
            >
              {loadingOlder ? t("loadingOlder") : t("loadOlder")}
            </button>
          </div>
        ) : messages.length > 0 ? (
          <p className="mb-4 text-center text-xs text-slate-600 dark:text-slate-400">{props.dmWith ? t("beginningDm", { name: props.dmWith }) : t("beginning")}</p>
        ) : null}
        {rows.length === 0 ? (
          <div className="flex h-full flex-col items-center justify-center gap-1 text-center text-slate-500 dark:text-slate-400">
            <p className="text-base font-medium">{t("emptyTitle")}</p>
            <p className="text-sm">{props.dmWith ? t("emptyHintDm", { name: props.dmWith }) : t("emptyHint")}</p>
          </div>
        ) : (
          <ol ref={list} className="flex flex-col" onKeyDown={onListKeyDown} aria-label={t("messagesHint")}>
            {rows.map((row) => {
              const author = row.kind === "message" ? row.message.author : me;
              const body = row.kind === "message" ? row.message.body : row.out.body;
              const createdAt = row.kind === "message" ? row.message.createdAt : row.out.createdAt;
              const mentioned = row.kind === "message" && row.message.mentions.includes(me.id);
              const target = row.kind === "message" && highlight === row.message.id;
              const tone = target
                ? "bg-indigo-100 ring-2 ring-indigo-400 dark:bg-indigo-500/20 dark:ring-indigo-500"
                : mentioned
                  ? "border-l-[3px] border-amber-400 bg-amber-50 hover:bg-amber-100/70 dark:border-amber-500 dark:bg-amber-400/10 dark:hover:bg-amber-400/15"
                  : "hover:bg-slate-100 dark:hover:bg-slate-900";
              return (
                <Fragment key={row.key}>
                {row.kind === "message" ? <TimelineMarkers marker={marks.get(row.message.id)} /> : null}
                <li
                  data-testid="message"
                  data-id={row.kind === "message" ? row.message.id : undefined}
                  data-status={row.kind === "outgoing" ? row.out.status : "sent"}
                  data-mentioned={mentioned || undefined}
                  data-highlighted={target || undefined}
                  data-key={row.key}
                  onFocus={(e) => {
                    if (e.target === e.currentTarget || activeKey !== row.key) setActiveKey(row.key);
                  }}
                  onContextMenu={(e) => {
                    // A long-press on a touch screen opens the message's actions.
                    if (row.kind !== "message" || !window.matchMedia("(pointer: coarse)").matches) return;
                    e.preventDefault();
                    setOpenTools(row.key);
                  }}
                  className={`group relative flex gap-3 rounded-md px-2 transition-colors duration-500 motion-reduce:transition-none focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 ${tone} ${row.first ? "mt-3 pt-1" : "py-0.5"}`}
                >
                  <div className="w-9 shrink-0">{row.first ? <Avatar id={author.id} name={author.name} /> : <HoverTime iso={createdAt} />}</div>
                  <div className="min-w-0 flex-1">
                    {row.first ? (
                      <div className="flex items-baseline gap-2">
                        <AuthorName author={author} meId={me.id} />
                        {author.guest ? <GuestBadge /> : null}
                        <Time iso={createdAt} />
                      </div>
                    ) : null}
                    {row.kind === "message" && row.message.replyTo ? <ReplyQuote reply={row.message.replyTo} onJump={jump} /> : null}
                    <div data-testid="body" className={`leading-relaxed ${row.kind === "outgoing" ? "text-slate-500 dark:text-slate-400" : ""}`}>
                      <Markdown
                        text={body}
                        mentionsOf={mentioned ? myNamesHere : myNames}
                        trailer={
                          row.kind === "message" && row.message.editedAt ? (
                            <span className="ml-1 text-xs text-slate-500 dark:text-slate-400" title={row.message.editedAt}>
                              {t("edited")}
                            </span>
                          ) : null
                        }
                      />
                    </div>
                    {row.kind === "message" ? (
                      <>
                        <ReactionBar reactions={row.message.reactions} meId={me.id} onToggle={(emoji) => void react(row.message.id, emoji)} />
                        <MessageTools
                          key={row.message.editedAt ?? ""}
                          message={row.message}
                          mine={row.message.author.id === me.id}
                          admin={me.role === "admin"}
                          onEdit={onEdit}
                          onDelete={onDelete}
                          onReply={onReply}
                          onReact={(emoji) => void react(row.message.id, emoji)}
                          open={openTools === row.key}
                          onOpenChange={(open) => setOpenTools(open ? row.key : null)}
                        />
                      </>
                    ) : null}
                    {row.kind === "message" && row.message.author.id !== me.id && me.role !== "admin" ? <ReportButton message={row.message} /> : null}
                    {row.kind === "outgoing" ? (
                      row.out.status !== "failed" ? (
                        <span className="text-xs text-slate-500 dark:text-slate-400">
                          {row.out.retryAt ? t("waitingRateLimit") : t("sending")}
                        </span>
                      ) : (
                        <span role="alert" className="flex flex-wrap items-center gap-2 text-xs text-red-600 dark:text-red-400">
                          {row.out.error?.code === "unavailable"
                            ? t("failed")
                            : t("failedWith", { reason: errorText(row.out.error) })}
                          <button type="button" onClick={() => onRetry(row.out.clientId)} className="font-semibold underline">
                            {t("retry")}
                          </button>
                          <button type="button" onClick={() => onDiscard(row.out.clientId)} className="underline">
                            {t("discard")}
                          </button>
                        </span>
                      )
                    ) : null}
                  </div>
                </li>
                </Fragment>
              );
            })}
          </ol>
        )}
      </div>
      <div className="sr-only" aria-live="polite" aria-relevant="additions" data-testid="announcer">
        {announced.map((a) => (
          <p key={a.id}>{a.text}</p>
        ))}
      </div>
      {reactError ? (
        <p role="alert" className="absolute inset-x-3 top-2 rounded-md bg-red-50 px-3 py-1.5 text-xs text-red-700 shadow dark:bg-red-950 dark:text-red-200">
          {reactError}
          <button type="button" onClick={() => setReactError(null)} className="ml-2 font-semibold underline">
            {t("dismiss")}
          </button>
        </p>
      ) : null}
      {unseen > 0 ? (
        <button
          type="button"
          onClick={jumpToBottom}
          className="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full bg-indigo-600 px-4 py-1.5 text-sm font-medium text-white shadow-lg hover:bg-indigo-500"
        >
          {t("newMessages", { count: unseen })} ↓
        </button>
      ) : null}
    </div>
  );
}
