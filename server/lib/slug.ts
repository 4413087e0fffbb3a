/**
 * Room slugs come from names: lower-case letters and digits, of any script,
 * joined by single dashes. Latin letters lose their accents ("Café" gives
 * "cafe", "Ｒｅｌａｙ" gives "relay"); letters of other scripts are kept as they
 * are, so a room named "设计评审" lives at /r/设计评审 (percent-encoded on the
 * wire: /r/%E8%AE%BE%E8%AE%A1%E8%AF%84%E5%AE%A1) instead of at an opaque hash.
 * Only a name with no letter or digit at all (emoji, punctuation) falls back
 * to a short stable hash of the name.
 */
import { createHash } from "node:crypto";

/** Longest slug, in characters (code points); the contract accepts at most 64. */
export const MAX_SLUG = 48;
const KEEP = /^[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]$/u;

function slugChar(ch: string): string {
  // A compatibility form that is plain ASCII ("é" -> "e", "Ａ" -> "A", "①" -> "1").
  const base = ch.normalize("NFKD").replace(/\p{M}/gu, "");
  if (/^[A-Za-z0-9]+$/.test(base)) return base.toLowerCase();
  const lower = ch.toLowerCase();
  return [...lower].every((c) => KEEP.test(c)) ? lower : "-";
}

export function slugify(name: string): string {
  const slug = [...name.normalize("NFC")]
    .map(slugChar)
    .join("")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  const capped = [...slug].slice(0, MAX_SLUG).join("").replace(/-+$/, "").normalize("NFC");
  if (capped) return capped;
  const key = name.trim().toLowerCase();
  return `room-${createHash("sha256").update(key).digest("hex").slice(0, 8)}`;
}

/** A slug as a URL path segment: percent-encoded UTF-8, ASCII slugs unchanged. */
export const slugPath = (slug: string) => encodeURIComponent(slug);
