"use client";
/** Enter sends; Shift+Enter inserts a newline. Reports typing, throttled. */
import { useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useTranslations } from "next-intl";
import { MAX_BODY } from "@/server/contract";

/** Re-announce "typing" at most this often while keys keep coming. */
const TYPING_REFRESH_MS = 2_500;
/** Declare "stopped typing" after this much quiet. */
const TYPING_IDLE_MS = 3_000;

export function Composer(props: { roomName: string; disabled?: boolean; onSend: (body: string) => void; onTyping: (typing: boolean) => void }) {
  const { roomName, disabled, onSend, onTyping } = props;
  const t = useTranslations("composer");
  const [body, setBody] = useState("");
  const lastAnnounce = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const length = [...body.trim()].length;
  const tooLong = length > MAX_BODY;

  const stopTyping = () => {
    clearTimeout(idle.current);
    if (lastAnnounce.current) onTyping(false);
    lastAnnounce.current = 0;
  };

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!length || tooLong) return;
    onSend(body.trim());
    setBody("");
    stopTyping();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const onChange = (value: string) => {
    setBody(value);
    if (!value.trim()) return stopTyping();
    const now = Date.now();
    if (now - lastAnnounce.current > TYPING_REFRESH_MS) {
      onTyping(true);
      lastAnnounce.current = now;
    }
    clearTimeout(idle.current);
    idle.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  };

  return (
    <form onSubmit={submit} className="border-t border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex items-end gap-2">
        <label htmlFor="composer" className="sr-only">
          {t("label", { room: roomName })}
        </label>
        <textarea
          id="composer"
          value={body}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={stopTyping}
          rows={1}
          disabled={disabled}
          placeholder={t("placeholder", { room: roomName })}
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
      <p id="composer-hint" className={`mt-1 text-xs ${tooLong ? "text-red-600 dark:text-red-400" : "text-slate-500 dark:text-slate-400"}`}>
        {tooLong ? t("tooLong", { max: MAX_BODY, count: length }) : t("hint")}
      </p>
    </form>
  );
}
