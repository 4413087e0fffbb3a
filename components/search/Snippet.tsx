/**
 * A search hit's text with its matches in <mark>. Highlights are UTF-16
 * [start, end) offsets into the body (GET /api/search); a long body shows a
 * window around the first match, cut on code point boundaries.
 */
import { Fragment } from "react";

/** Characters of context shown before the first match of a long body. */
const LEAD = 60;
/** Longest snippet, in UTF-16 units. */
const WINDOW = 240;

const isLow = (s: string, i: number) => {
  const c = s.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff;
};

export function snippetParts(body: string, highlights: [number, number][]): { text: string; mark: boolean }[] {
  let start = 0;
  let end = body.length;
  if (body.length > WINDOW) {
    start = Math.max(0, (highlights[0]?.[0] ?? 0) - LEAD);
    end = Math.min(body.length, start + WINDOW);
    while (start > 0 && isLow(body, start)) start--;
    while (end < body.length && isLow(body, end)) end++;
  }
  const parts: { text: string; mark: boolean }[] = [];
  let at = start;
  for (const [s, e] of highlights) {
    if (e <= at || s >= end) continue;
    const from = Math.max(s, at);
    const to = Math.min(e, end);
    if (from > at) parts.push({ text: body.slice(at, from), mark: false });
    parts.push({ text: body.slice(from, to), mark: true });
    at = to;
  }
  if (at < end) parts.push({ text: body.slice(at, end), mark: false });
  if (start > 0) parts.unshift({ text: "…", mark: false });
  if (end < body.length) parts.push({ text: "…", mark: false });
  return parts;
}

export function Snippet({ body, highlights }: { body: string; highlights: [number, number][] }) {
  return (
    <span className="whitespace-pre-wrap break-words">
      {snippetParts(body, highlights).map((p, i) =>
        p.mark ? (
          <mark key={i} className="rounded-sm bg-amber-200 px-0.5 text-slate-900 dark:bg-amber-400/30 dark:text-amber-100">
            {p.text}
          </mark>
        ) : (
          <Fragment key={i}>{p.text}</Fragment>
        ),
      )}
    </span>
  );
}
