"use client";
/**
 * Enter sends; Shift+Enter inserts a newline. Reports typing, throttled.
 *
 * Typing `@` opens a list of people to mention (the room's members and who is
 * online): ArrowUp/ArrowDown move, Enter or Tab inserts, Escape closes. The
 * textarea is the combobox and the list its listbox, so a screen reader
 * announces the active option. A reply in progress shows above the field;
 * Escape (with no list open) or × cancels it.
 */
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useTranslations } from "next-intl";
import { MAX_BODY, type Message, type UserRef } from "@/server/contract";
import { Avatar } from "@/components/ui/Avatar";
import { GuestBadge } from "@/components/ui/GuestBadge";
import { insertMention, mentionAt, mentionToken, suggest, type Suggestion } from "./mentionQuery";
import { useDraft } from "./useDraft";

/** Re-announce "typing" at most this often while keys keep coming. */
const TYPING_REFRESH_MS = 2_500;
/** Declare "stopped typing" after this much quiet. */
const TYPING_IDLE_MS = 3_000;

interface Props {
  roomName: string;
  /** A direct message: labelled "@name", not "#room". */
  dm?: boolean;
  /** The room's slug: the draft is kept per room. */
  room: string;
  disabled?: boolean;
  /** Why the user cannot post here now (shown instead of the hint; the composer is disabled). */
  blockedReason?: string | null;
  meId: string;
  /** Who can be mentioned: members and online users. */
  people: UserRef[];
  replyingTo: Message | null;
  onCancelReply: () => void;
  onSend: (body: string, replyTo?: string) => void;
  onTyping: (typing: boolean) => void;
}

export function Composer(props: Props) {
  const { roomName, dm, meId, people, replyingTo, onCancelReply, onSend, onTyping, blockedReason } = props;
  const disabled = props.disabled || !!blockedReason;
  const t = useTranslations("composer");
  // On a touch screen Enter is the keyboard's return key and there is no Shift: say so.
  const [touch, setTouch] = useState(false);
  useEffect(() => {
    const query = window.matchMedia("(pointer: coarse)");
    const update = () => setTouch(query.matches);
    update();
    query.addEventListener("change", update);
    return () => query.removeEventListener("change", update);
  }, []);
  const tm = useTranslations("mentions");
  const [body, setBody] = useDraft(props.room);
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  const field = useRef<HTMLTextAreaElement>(null);
  const listId = useId();
  const lastAnnounce = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const length = [...body.trim()].length;
  const tooLong = length > MAX_BODY;
  const options: Suggestion[] = mention ? suggest(people, mention.query, meId) : [];
  const open = options.length > 0;

  // Starting a reply puts the caret in the field.
  useEffect(() => {
    if (replyingTo) field.current?.focus();
  }, [replyingTo]);

  const stopTyping = () => {
    clearTimeout(idle.current);
    if (lastAnnounce.current) onTyping(false);
    lastAnnounce.current = 0;
  };

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!length || tooLong) return;
    onSend(body.trim(), replyingTo?.id);
    setBody("");
    setMention(null);
    onCancelReply();
    stopTyping();
  };

  const pick = (s: Suggestion) => {
    const el = field.current;
    if (!el || !mention) return;
    const next = insertMention(body, mention.start, el.selectionStart, s);
    setBody(next.text);
    setMention(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(next.caret, next.caret);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (open) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const step = e.key === "ArrowDown" ? 1 : -1;
        return setActive((a) => (a + step + options.length) % options.length);
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        return pick(options[Math.min(active, options.length - 1)]!);
      }
      if (e.key === "Escape") {
        e.preventDefault();
        return setMention(null);
      }
    }
    if (e.key === "Escape" && replyingTo) {
      e.preventDefault();
      return onCancelReply();
    }
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      submit();
    }
  };

  const track = (el: HTMLTextAreaElement) => {
    const next = mentionAt(el.value, el.selectionStart);
    setMention((cur) => (cur?.start === next?.start && cur?.query === next?.query ? cur : next));
    if (next?.query !== mention?.query) setActive(0);
  };

  const onChange = (el: HTMLTextAreaElement) => {
    const value = el.value;
    setBody(value);
    track(el);
    if (!value.trim()) return stopTyping();
    const now = Date.now();
    if (now - lastAnnounce.current > TYPING_REFRESH_MS) {
      onTyping(true);
      lastAnnounce.current = now;
    }
    clearTimeout(idle.current);
    idle.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  };

  const optionId = (i: number) => `${listId}-opt-${i}`;

  return (
    <form onSubmit={submit} className="border-t border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
      {replyingTo ? (
        <div className="mb-2 flex items-center gap-2 rounded-md border-l-2 border-indigo-400 bg-slate-50 px-2 py-1 text-xs dark:bg-slate-800/60" data-testid="replying-to">
          <span aria-hidden="true">↩</span>
          <span className="min-w-0 flex-1 truncate text-slate-600 dark:text-slate-300">
            {t.rich("replyingTo", { name: replyingTo.author.name, b: (chunks) => <strong className="font-semibold">{chunks}</strong> })}{" "}
            <span className="text-slate-500 dark:text-slate-400">{replyingTo.body.replace(/\s+/g, " ").slice(0, 140)}</span>
          </span>
          <button type="button" onClick={onCancelReply} aria-label={t("cancelReply")} className="rounded px-1 text-base leading-none text-slate-500 hover:bg-slate-200 dark:hover:bg-slate-700">
            ×
          </button>
        </div>
      ) : null}
      <div className="relative flex items-end gap-2">
        {open ? (
          <ul
            id={listId}
            role="listbox"
            aria-label={tm("label")}
            data-testid="mention-list"
            className="absolute bottom-full left-0 z-20 mb-2 max-h-64 w-72 max-w-full overflow-y-auto rounded-lg border border-slate-200 bg-white p-1 shadow-lg dark:border-slate-700 dark:bg-slate-900"
          >
            {options.map((o, i) => (
              <li
                key={o.kind === "here" ? "@here" : o.user.id}
                id={optionId(i)}
                role="option"
                aria-selected={i === active}
                onMouseDown={(e) => (e.preventDefault(), pick(o))}
                onMouseEnter={() => setActive(i)}
                className={`flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm ${i === active ? "bg-indigo-600 text-white" : "text-slate-700 dark:text-slate-200"}`}
              >
                {o.kind === "here" ? (
                  <>
                    <span className="flex h-6 w-6 items-center justify-center rounded-full bg-amber-400 text-xs font-bold text-amber-950" aria-hidden="true">@</span>
                    <span className="font-medium">@here</span>
                    <span className={`truncate text-xs ${i === active ? "text-indigo-100" : "text-slate-500 dark:text-slate-400"}`}>{tm("here")}</span>
                  </>
                ) : (
                  <>
                    <Avatar id={o.user.id} name={o.user.name} size="sm" />
                    <span className="min-w-0 truncate font-medium" title={`@${mentionToken(o.user.name)}`}>{o.user.name}</span>
                    {o.user.guest ? <GuestBadge /> : null}
                  </>
                )}
              </li>
            ))}
          </ul>
        ) : null}
        <label htmlFor="composer" className="sr-only">
          {t("label", { room: roomName, kind: dm ? "dm" : "room" })}
        </label>
        <textarea
          ref={field}
          id="composer"
          value={body}
          onChange={(e) => onChange(e.target)}
          onKeyDown={onKeyDown}
          onKeyUp={(e) => (e.key === "ArrowLeft" || e.key === "ArrowRight" || e.key === "Home" || e.key === "End") && track(e.currentTarget)}
          onClick={(e) => track(e.currentTarget)}
          onBlur={() => (stopTyping(), setMention(null))}
          rows={1}
          disabled={disabled}
          placeholder={t("placeholder", { room: roomName, kind: dm ? "dm" : "room" })}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={open ? listId : undefined}
          aria-activedescendant={open ? optionId(Math.min(active, options.length - 1)) : undefined}
          aria-describedby="composer-hint"
          aria-invalid={tooLong}
          className="max-h-40 min-h-11 flex-1 resize-none rounded-lg border border-slate-300 bg-white px-3 py-2.5 text-base leading-snug placeholder:text-slate-500 focus:border-indigo-500 dark:border-slate-700 dark:bg-slate-950 dark:placeholder:text-slate-400"
          style={{ fieldSizing: "content" } as React.CSSProperties}
        />
        <button
          type="submit"
          disabled={disabled || !length || tooLong}
          className="min-h-11 rounded-lg bg-indigo-600 px-4 font-medium text-white hover:bg-indigo-500 disabled:cursor-not-allowed disabled:opacity-50"
        >
          {t("send")}
        </button>
      </div>
      <p id="composer-hint" data-testid="composer-hint" className={`mt-1 text-xs ${tooLong || blockedReason ? "text-red-600 dark:text-red-400" : "text-slate-500 dark:text-slate-400"}`}>
        {blockedReason ?? (tooLong ? t("tooLong", { max: MAX_BODY, count: length }) : t(touch ? "hintTouch" : "hint"))}
      </p>
    </form>
  );
}
