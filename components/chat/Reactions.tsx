"use client";
/**
 * A message's reactions (chips with counts, the reader's own pressed) and the
 * small picker that adds one. The picker is a dozen common emoji in a grid of
 * buttons: no library, nothing to load. Arrow keys move within it, Escape
 * closes it and gives focus back to the button that opened it.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { useTranslations } from "next-intl";
import type { Reaction } from "@/server/contract";

/** The picker's choice: the reactions people reach for most. */
export const COMMON_EMOJI = ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀", "🔥", "✅", "🚀", "💯"] as const;
const COLUMNS = 6;

export function EmojiPicker(props: { onPick: (emoji: string) => void; onClose: () => void; className?: string }) {
  const { onPick, onClose, className = "" } = props;
  const t = useTranslations("reactions");
  const grid = useRef<HTMLDivElement>(null);

  useEffect(() => {
    grid.current?.querySelector<HTMLButtonElement>("button")?.focus();
    const onDown = (e: MouseEvent) => {
      if (grid.current && !grid.current.contains(e.target as Node)) onClose();
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [onClose]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const buttons = [...(grid.current?.querySelectorAll<HTMLButtonElement>("button") ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const move = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS }[e.key as "ArrowRight"];
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else if (move !== undefined && at !== -1) {
      e.preventDefault();
      buttons[(at + move + buttons.length) % buttons.length]?.focus();
    }
  };

  return (
    <div
      ref={grid}
      role="group"
      aria-label={t("pick")}
      onKeyDown={onKeyDown}
      data-testid="emoji-picker"
      className={`z-20 grid grid-cols-6 gap-0.5 rounded-lg border border-slate-200 bg-white p-1 shadow-lg dark:border-slate-700 dark:bg-slate-900 ${className}`}
    >
      {COMMON_EMOJI.map((emoji) => (
        <button
          key={emoji}
          type="button"
          onClick={() => (onPick(emoji), onClose())}
          aria-label={t("reactWith", { emoji })}
          className="flex h-9 w-9 items-center justify-center rounded-md text-xl hover:bg-slate-100 focus:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-slate-800 dark:focus:bg-slate-800"
        >
          {emoji}
        </button>
      ))}
    </div>
  );
}

/** The chips under a message, and a "+" that opens the picker. */
export function ReactionBar(props: { reactions: Reaction[]; meId: string; onToggle: (emoji: string) => void }) {
  const { reactions, meId, onToggle } = props;
  const t = useTranslations("reactions");
  const [picking, setPicking] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  if (reactions.length === 0 && !picking) return null;
  const close = () => {
    setPicking(false);
    opener.current?.focus();
  };
  return (
    <div className="relative mt-1 flex flex-wrap items-center gap-1" data-testid="reactions">
      {reactions.map((r) => {
        const mine = r.users.includes(meId);
        return (
          <button
            key={r.emoji}
            type="button"
            aria-pressed={mine}
            onClick={() => onToggle(r.emoji)}
            aria-label={t(mine ? "chipMine" : "chip", { emoji: r.emoji, count: r.count })}
            title={t(mine ? "chipMine" : "chip", { emoji: r.emoji, count: r.count })}
            data-testid="reaction"
            className={`inline-flex h-7 items-center gap-1 rounded-full border px-2 text-sm leading-none transition ${
              mine
                ? "border-indigo-400 bg-indigo-50 text-indigo-800 dark:border-indigo-500 dark:bg-indigo-500/20 dark:text-indigo-100"
                : "border-slate-200 bg-white text-slate-700 hover:border-slate-300 hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800"
            }`}
          >
            <span aria-hidden="true">{r.emoji}</span>
            <span className="text-xs font-semibold tabular-nums" aria-hidden="true">
              {r.count}
            </span>
          </button>
        );
      })}
      <button
        ref={opener}
        type="button"
        onClick={() => setPicking((v) => !v)}
        aria-expanded={picking}
        aria-label={t("add")}
        title={t("add")}
        className={`inline-flex h-7 w-8 items-center justify-center rounded-full border border-dashed border-slate-300 text-sm text-slate-500 transition hover:border-slate-400 hover:text-slate-700 focus:opacity-100 group-hover:opacity-100 pointer-coarse:opacity-100 dark:border-slate-600 dark:text-slate-400 dark:hover:text-slate-200 ${picking ? "opacity-100" : "opacity-0"}`}
      >
        <span aria-hidden="true">☺+</span>
      </button>
      {picking ? <EmojiPicker onPick={onToggle} onClose={close} className="absolute bottom-full left-0 mb-1" /> : null}
    </div>
  );
}
