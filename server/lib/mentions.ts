/**
 * Whether a message mentions a user: the one rule, used by the unread counts
 * (server/services/reads.ts, as a database filter) and by the browser (live
 * activity, notifications). When messages carry `mentions` (user ids, set by
 * the message service), that list decides; until then a mention is the
 * user's display name after an `@`, in any case. Swap the rule here only.
 */
export interface Mentionable {
  body?: string;
  preview?: string;
  mentions?: string[];
}

export function mentionsUser(message: Mentionable, user: { id: string; name: string }): boolean {
  if (Array.isArray(message.mentions)) return message.mentions.includes(user.id);
  const text = (message.body ?? message.preview ?? "").toLowerCase();
  return text.includes(`@${user.name.toLowerCase()}`);
}

/**
 * The same rule as a filter over stored messages: `contains` is the
 * provider's case-insensitive substring match (server/db.ts containsInsensitive).
 */
export function mentionsOf(user: { id: string; name: string }, contains: (term: string) => { contains: string }) {
  return { body: contains(`@${user.name}`) };
}
