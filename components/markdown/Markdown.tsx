"use client";
/**
 * A message or broadcast body, formatted: the React adapter of the shared
 * tree (components/markdown/tree.ts). It maps each node to an element and
 * each text to a React text child; it adds nothing the tree does not hold
 * except class names. Long bodies collapse behind "Show more".
 */
import { createElement, Fragment, useId, useLayoutEffect, useMemo, useRef, useState, type FocusEvent, type ReactNode } from "react";
import { useTranslations } from "next-intl";
import { COLLAPSE_LINES, COLLAPSED_LINES, longSource, markdownTree, type MdNode, type MdTag } from "./tree";

/** Tailwind for each element, light and dark; code inside a block is styled by its `pre`. */
const CLASS: Record<MdTag, string> = {
  p: "",
  strong: "font-semibold",
  em: "italic",
  del: "text-slate-500 line-through decoration-current dark:text-slate-400",
  code: "box-decoration-clone rounded bg-slate-200/80 px-1 py-px font-mono text-[0.875em] dark:bg-slate-800",
  pre: [
    "max-w-full overflow-x-auto whitespace-pre rounded-md border border-slate-200 bg-slate-100 px-3 py-2",
    "font-mono text-[0.8125rem] leading-snug dark:border-slate-800 dark:bg-slate-900",
    // The language, noted above the code; generated content is not copied with it.
    "data-[lang]:before:mb-1 data-[lang]:before:block data-[lang]:before:font-sans data-[lang]:before:text-[0.6875rem] data-[lang]:before:font-medium",
    "data-[lang]:before:uppercase data-[lang]:before:tracking-wide data-[lang]:before:text-slate-500 data-[lang]:before:content-[attr(data-lang)] dark:data-[lang]:before:text-slate-400",
    "[&>code]:bg-transparent [&>code]:p-0 [&>code]:text-[1em]",
  ].join(" "),
  blockquote: "space-y-1 border-l-[3px] border-slate-300 pl-3 text-slate-600 dark:border-slate-600 dark:text-slate-300",
  ul: "list-disc space-y-0.5 pl-5",
  ol: "list-decimal space-y-0.5 pl-6",
  li: "space-y-1 pl-0.5",
  a: "font-medium underline decoration-current/40 underline-offset-2 hover:decoration-current",
};

/** Link colour per surface: indigo in the log, the banner's own colour on a banner. */
const LINK_TONE = { chat: "text-indigo-700 dark:text-indigo-300", inherit: "" } as const;

/** `@name` as the server reads it (server/services/mentions.ts), to mark in text outside code. */
const MENTION = /(?<![\p{L}\p{N}_@])@([\p{L}\p{N}_](?:[\p{L}\p{N}_.-]*[\p{L}\p{N}_])?)/gu;

/** Marks each `@name`; the reader's own names (lower-cased) stand out. */
function markMentions(value: string, self: ReadonlySet<string>): ReactNode {
  const out: ReactNode[] = [];
  let at = 0;
  for (const m of value.matchAll(MENTION)) {
    if (m.index > at) out.push(value.slice(at, m.index));
    const mine = self.has(m[1]!.toLowerCase());
    out.push(
      <span
        key={m.index}
        data-mention={mine ? "self" : "other"}
        className={mine ? "rounded bg-amber-200/80 px-0.5 font-semibold text-amber-950 dark:bg-amber-400/25 dark:text-amber-100" : "font-medium text-indigo-700 dark:text-indigo-300"}
      >
        {m[0]}
      </span>,
    );
    at = m.index + m[0].length;
  }
  if (at === 0) return value;
  if (at < value.length) out.push(value.slice(at));
  return <Fragment>{out}</Fragment>;
}

function render(nodes: MdNode[], tone: keyof typeof LINK_TONE, trailer?: ReactNode, self?: ReadonlySet<string>): ReactNode[] {
  return nodes.map((node, i) => {
    if (node.type === "text") return self ? <Fragment key={i}>{markMentions(node.value, self)}</Fragment> : node.value;
    const className = node.tag === "a" ? `${CLASS.a} ${LINK_TONE[tone]}` : CLASS[node.tag] || undefined;
    // Code shows exactly what was typed; links keep their own look.
    const children = render(node.children, tone, undefined, node.tag === "code" || node.tag === "pre" || node.tag === "a" ? undefined : self);
    // The "(edited)" mark sits at the end of the last paragraph, not on a line of its own.
    if (trailer && i === nodes.length - 1 && node.tag === "p") children.push(<Fragment key="trailer">{trailer}</Fragment>);
    return createElement(node.tag, { key: i, className, ...node.attrs }, ...children);
  });
}

interface Props {
  text: string;
  /** Shown after the body, inside its last paragraph when it ends with one. */
  trailer?: ReactNode;
  /** Long bodies collapse unless this is false (a short list cell, a preview). */
  collapsible?: boolean;
  tone?: keyof typeof LINK_TONE;
  className?: string;
  /** Mark `@name` mentions; these names (lower-cased) are the reader's own. */
  mentionsOf?: ReadonlySet<string>;
}

export function Markdown({ text, trailer, collapsible = true, tone = "chat", className = "", mentionsOf }: Props) {
  const t = useTranslations("markdown");
  const tree = useMemo(() => markdownTree(text), [text]);
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const [long, setLong] = useState(() => collapsible && longSource(text));
  const [open, setOpen] = useState(false);

  // Long by its source lines, or by its rendered height (one long wrapped
  // paragraph); measured again when the width changes the wrapping.
  useLayoutEffect(() => {
    const el = box.current;
    if (!collapsible || !el) return setLong(false);
    const measure = () => {
      const line = parseFloat(getComputedStyle(el).lineHeight) || 20;
      setLong(longSource(text) || el.scrollHeight > line * COLLAPSE_LINES);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [text, collapsible]);

  const collapsed = long && !open;
  // Tabbing to a link hidden below the fold unfolds the message.
  const onFocus = (e: FocusEvent<HTMLDivElement>) => {
    if (collapsed && e.target.getBoundingClientRect().bottom > e.currentTarget.getBoundingClientRect().bottom) setOpen(true);
  };
  const toggle = () => {
    setOpen(!open);
    // Folding a long body back can leave the reader far below it: bring it back into view.
    if (open) requestAnimationFrame(() => box.current?.scrollIntoView({ block: "nearest" }));
  };

  const blocks = tree.length === 0 && trailer ? [<Fragment key="trailer">{trailer}</Fragment>] : render(tree, tone, trailer, mentionsOf);
  const last = tree[tree.length - 1];
  const trailerOutside = trailer && tree.length > 0 && !(last?.type === "element" && last.tag === "p");
  return (
    <>
      <div
        ref={box}
        id={id}
        onFocus={onFocus}
        data-collapsed={collapsed || undefined}
        className={`space-y-1.5 whitespace-pre-wrap [overflow-wrap:anywhere] ${collapsed ? "overflow-hidden" : ""} ${className}`}
        style={collapsed ? { maxHeight: `${COLLAPSED_LINES}lh`, maskImage: FADE, WebkitMaskImage: FADE } : undefined}
      >
        {blocks}
        {trailerOutside ? <div>{trailer}</div> : null}
      </div>
      {long ? (
        <button
          type="button"
          onClick={toggle}
          aria-expanded={open}
          aria-controls={id}
          className="mt-0.5 rounded text-xs font-semibold text-indigo-700 hover:underline dark:text-indigo-300"
        >
          {open ? t("showLess") : t("showMore")}
        </button>
      ) : null}
    </>
  );
}

/** The collapsed body fades out, so it reads as cut rather than ended. */
const FADE = "linear-gradient(to bottom, #000 65%, transparent)";
