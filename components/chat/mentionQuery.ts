/**
 * The composer's mention autocomplete, as pure functions: the `@query` being
 * typed at the caret, the people that match it, and the text once one is
 * picked. A name is inserted as the server reads it (server/services/
 * mentions.ts): `@` and the display name, spaces as underscores.
 */
import type { UserRef } from "@/server/contract";

/** Suggestions shown at once. */
export const MAX_SUGGESTIONS = 8;
export const HERE = "here";

/** `@` and what follows it up to the caret, when the caret is in a mention being typed. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(?:^|[^\p{L}\p{N}_@])@([\p{L}\p{N}_.-]{0,32})$/u.exec(before);
  if (!m) return null;
  return { start: caret - m[1]!.length - 1, query: m[1]! };
}

export const mentionToken = (name: string) => name.trim().replace(/\s+/g, "_");

export type Suggestion = { kind: "user"; user: UserRef } | { kind: "here" };

/** People whose name starts with the query (then those containing it), the reader left out; `@here` when it fits. */
export function suggest(people: UserRef[], query: string, meId: string): Suggestion[] {
  const q = query.toLowerCase();
  const seen = new Set<string>();
  const starts: UserRef[] = [];
  const contains: UserRef[] = [];
  for (const u of people) {
    if (u.id === meId || seen.has(u.id)) continue;
    seen.add(u.id);
    const token = mentionToken(u.name).toLowerCase();
    if (token.startsWith(q) || u.name.toLowerCase().startsWith(q)) starts.push(u);
    else if (q && token.includes(q)) contains.push(u);
  }
  const byName = (a: UserRef, b: UserRef) => a.name.localeCompare(b.name);
  const users: Suggestion[] = [...starts.sort(byName), ...contains.sort(byName)].map((user) => ({ kind: "user", user }));
  const here: Suggestion[] = HERE.startsWith(q) ? [{ kind: "here" }] : [];
  return [...users, ...here].slice(0, MAX_SUGGESTIONS);
}

/** The text with the mention at `start` (up to the caret) replaced by the pick, and where the caret goes. */
export function insertMention(text: string, start: number, caret: number, pick: Suggestion): { text: string; caret: number } {
  const token = `@${pick.kind === "here" ? HERE : mentionToken(pick.user.name)} `;
  const after = text.slice(caret).replace(/^[\p{L}\p{N}_.-]*/u, "").replace(/^ /, "");
  return { text: text.slice(0, start) + token + after, caret: start + token.length };
}
