/**
 * Room slugs come from names: lower-case ASCII letters, digits and single
 * dashes. Names in other scripts (a Chinese room name, say) have no ASCII to
 * keep, so they get a short stable hash of the name instead of an empty slug.
 */
import { createHash } from "node:crypto";

export function slugify(name: string): string {
  const ascii = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/, "");
  if (ascii) return ascii;
  const key = name.trim().toLowerCase();
  return `room-${createHash("sha256").update(key).digest("hex").slice(0, 8)}`;
}
