/**
 * The one set of formatting rules for message and broadcast bodies.
 *
 * A body is stored as written; every place that shows one (chat, banners,
 * /admin, the embed) turns it into a small neutral tree here and renders that
 * tree with a thin adapter (React in components/markdown/Markdown.tsx, plain
 * DOM in components/markdown/dom.ts). No HTML string is ever produced, so
 * there is nothing to sanitize afterwards: the tree can only hold the
 * elements and attributes named below, and text.
 *
 * Parsing is marked's lexer (GFM flavour). Only the subset below becomes elements; everything else
 * (headings, tables, rules, raw HTML, reference definitions) stays visible as
 * the text that was written. docs/protocol.md ("Formatting") states the rules.
 */
import { Lexer, type MarkedToken, type Token, type Tokens } from "marked";

/** The only elements a tree can hold. */
export type MdTag = "p" | "strong" | "em" | "del" | "code" | "pre" | "blockquote" | "ul" | "ol" | "li" | "a";

/** The only attributes, each set by this module alone. */
export interface MdAttrs {
  /** On `a`: an absolute http:, https: or mailto: URL, as the URL parser serializes it. */
  href?: string;
  target?: typeof LINK_TARGET;
  rel?: typeof LINK_REL;
  /** On `ol`: the first number, when it is not 1. */
  start?: number;
  /** On `pre`: the language of a fenced block, when one was given. */
  "data-lang"?: string;
}

export type MdNode = { type: "text"; value: string } | { type: "element"; tag: MdTag; attrs?: MdAttrs; children: MdNode[] };

export const LINK_TARGET = "_blank";
/** Links are user content: no window.opener, no referrer, no ranking credit. */
export const LINK_REL = "noopener noreferrer nofollow ugc";
/**
 * Schemes that may become links. Relative and protocol-relative URLs do not:
 * a body is shown in the app, in embeds on other sites and in other clients,
 * so "relative" has no single meaning.
 */
export const LINK_PROTOCOLS: readonly string[] = ["http:", "https:", "mailto:"];
/** Fenced-block languages worth noting: a short word (js, c++, c#, objective-c), nothing else. */
const LANG = /^[\w+#.-]{1,24}$/;
/**
 * Nesting kept as elements. Deeper structure (a 500-level block quote) is
 * shown as its text: nobody writes it, and it would only cost layout time.
 */
export const MAX_DEPTH = 12;

const text = (value: string): MdNode => ({ type: "text", value });
const el = (tag: MdTag, children: MdNode[], attrs?: MdAttrs): MdNode => (attrs ? { type: "element", tag, attrs, children } : { type: "element", tag, children });

/**
 * The href a link may carry, or null. The WHATWG URL parser decides, exactly
 * as the browser will when it follows the link: it strips control characters
 * and whitespace, lowercases the scheme, and rejects what is not absolute.
 * The serialized form is what goes out, so no other reading of it exists.
 * Character references (`&#106;avascript:`) are not decoded anywhere in a
 * body, so they can never turn into a scheme.
 */
export function safeHref(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  return LINK_PROTOCOLS.includes(url.protocol) ? url.href : null;
}

/** Adjacent text merged, so adapters create one text node per run. */
function push(out: MdNode[], node: MdNode) {
  const last = out[out.length - 1];
  if (node.type === "text" && last?.type === "text") last.value += node.value;
  else if (node.type !== "text" || node.value !== "") out.push(node);
}

/** A block shown as the text that was written (trailing newlines dropped). */
const asText = (raw: string): MdNode => el("p", [text(raw.replace(/\n+$/, ""))]);

function inline(tokens: Token[] | undefined, depth: number, inLink: boolean): MdNode[] {
  const out: MdNode[] = [];
  for (const token of tokens ?? []) for (const node of inlineToken(token as MarkedToken, depth, inLink)) push(out, node);
  return out;
}

function inlineToken(t: MarkedToken, depth: number, inLink: boolean): MdNode[] {
  if (depth > MAX_DEPTH) return [text(t.raw)];
  switch (t.type) {
    case "text":
      // A tight list item's text holds inline tokens of its own. Otherwise
      // the source as written: marked's `text` has numeric character
      // references decoded and `&` encoded for an HTML renderer, and here
      // references are not decoded anywhere (see safeHref).
      return t.tokens ? inline(t.tokens, depth, inLink) : [text(t.raw)];
    case "escape":
      return [text(t.text)];
    case "strong":
      return [el("strong", inline(t.tokens, depth + 1, inLink))];
    case "em":
      return [el("em", inline(t.tokens, depth + 1, inLink))];
    case "del":
      return [el("del", inline(t.tokens, depth + 1, inLink))];
    case "codespan":
      return [el("code", [text(t.text)])];
    case "br":
      // Kept as a newline, like every other line break (see markdownTree).
      return [text("\n")];
    case "link": {
      const href = safeHref(t.href);
      // A refused link shows what was written, so its target is not hidden.
      if (!href) return [text(t.raw)];
      // No link inside a link: the inner one keeps only its text.
      if (inLink) return inline(t.tokens, depth, true);
      const label = inline(t.tokens, depth + 1, true);
      return [el("a", label.length ? label : [text(t.href)], { href, target: LINK_TARGET, rel: LINK_REL })];
    }
    case "image": {
      // Never an <img> (no request leaves the reader's browser to a URL a
      // sender chose): a link to the image, named by its alt text.
      const href = safeHref(t.href);
      if (!href || inLink) return [text(t.raw)];
      return [el("a", [text(t.text || t.href)], { href, target: LINK_TARGET, rel: LINK_REL })];
    }
    case "checkbox":
      // Task lists are not in the subset: the box stays as written.
      return [text(t.checked ? "[x] " : "[ ] ")];
    default:
      // Raw HTML, and anything this subset does not know, is text.
      return [text(t.raw)];
  }
}

function blocks(tokens: Token[] | undefined, depth: number): MdNode[] {
  const out: MdNode[] = [];
  for (const token of tokens ?? []) for (const node of block(token as MarkedToken, depth)) push(out, node);
  return out;
}

function block(t: MarkedToken, depth: number): MdNode[] {
  if (depth > MAX_DEPTH) return [asText(t.raw)];
  switch (t.type) {
    case "space":
      return [];
    case "paragraph":
      return [el("p", inline(t.tokens, depth + 1, false))];
    case "text":
      // Block-level text only occurs in tight list items: no paragraph around it.
      return t.tokens ? inline(t.tokens, depth + 1, false) : [text(t.text)];
    case "code": {
      const lang = t.lang?.trim().split(/\s+/)[0] ?? "";
      return [el("pre", [el("code", [text(t.text)])], LANG.test(lang) ? { "data-lang": lang } : undefined)];
    }
    case "checkbox":
      return inlineToken(t, depth, false);
    case "blockquote":
      return [el("blockquote", blocks(t.tokens, depth + 1))];
    case "list": {
      const items = t.items.map((item) => el("li", blocks(item.tokens, depth + 2)));
      if (!t.ordered) return [el("ul", items)];
      const start = typeof t.start === "number" && t.start !== 1 ? { start: t.start } : undefined;
      return [el("ol", items, start)];
    }
    default:
      // Headings, tables, rules, raw HTML blocks, reference definitions:
      // not in the subset, shown as written.
      return [asText(t.raw)];
  }
}

/**
 * The tree of one body. Line breaks stay newline characters inside text, and
 * adapters show text with `white-space: pre-wrap`: a single newline breaks the
 * line, as in every chat, and the text a reader copies is the text written.
 * Never throws: input marked cannot handle (it overflows
 * its stack on a few thousand nested quote markers) is shown as plain text.
 */
export function markdownTree(source: string): MdNode[] {
  try {
    return blocks(Lexer.lex(source, { gfm: true }), 0);
  } catch {
    return source ? [el("p", [text(source)])] : [];
  }
}

/** Rendered lines past which a body collapses behind "Show more". */
export const COLLAPSE_LINES = 25;
/** Lines still shown while collapsed: enough to tell what the message is about. */
export const COLLAPSED_LINES = 10;

/**
 * Whether a body is long before anything is laid out: more source lines than
 * COLLAPSE_LINES. Adapters also measure the rendered height, which catches
 * one long wrapped paragraph.
 */
export const longSource = (source: string) => source.split("\n").length > COLLAPSE_LINES;
