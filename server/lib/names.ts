/**
 * Display names: the one rule for every path that sets one (guest join,
 * sign-up, better-auth's update-user and the admin plugin's user routes all
 * end in the user table's create/update hooks in server/auth.ts, which call
 * this module).
 *
 * Cleaning (`cleanDisplayName`):
 * 1. Must be well-formed Unicode, then NFC-normalized.
 * 2. Every run of whitespace (tabs, newlines, U+2028…) becomes one space.
 * 3. Control characters (C0, DEL, C1) and bidi controls (embeddings,
 *    overrides U+202A–202E, isolates U+2066–2069, and the LRM/RLM/ALM marks)
 *    are stripped: they reorder or hide what is shown next to the name.
 * 4. Trimmed; then 1–32 code points, at least one of them visible (not
 *    whitespace, not a zero-width/format/default-ignorable character, not a
 *    combining mark on its own, not the blank braille pattern), and at most
 *    MAX_MARKS combining marks in a row (no "Zalgo" towers over other lines).
 *
 * Uniqueness (`createNameRegistry`): names are compared by `nameKey` (NFKC,
 * default-ignorable characters removed, whitespace collapsed, case folded), so
 * "Alice", "ALICE", "ａｌｉｃｅ" and "ali\u200bce" are one name.
 * - A guest may not take the name or username of any registered account, nor
 *   the name of a guest who is still around: one with an unexpired session.
 *   A guest's name is free again once their sessions end (sign-out, or
 *   expiry after a month); guest rows are kept for their messages, so "ever
 *   used" would use names up for good.
 * - A registered account may not take the name or username of another
 *   registered account. It is not blocked by a guest's name: a passer-by
 *   cannot squat a name before its owner registers, and the guest stays
 *   marked as a guest wherever the name is shown.
 * Look-alikes across scripts (Cyrillic "а" for Latin "a") are not caught by
 * NFKC; the guest badge and the avatar colour (from the user id) are the
 * defence there.
 */
import type { PrismaClient } from "../generated/prisma/client";
import { codePoints, isWellFormed } from "./unicode";

export const MAX_NAME = 32;
/** Combining marks allowed in a row: enough for Vietnamese or Hebrew with vowel points, not for a tower. */
export const MAX_MARKS = 4;
/**
 * A claim holds its name for this long while the account is being written,
 * so two sign-ups racing for one name cannot both pass the check; it is
 * released as soon as the row is stored.
 */
export const CLAIM_MS = 10_000;

export type NameErrorCode = "NAME_REQUIRED" | "NAME_TOO_LONG" | "NAME_INVISIBLE" | "NAME_INVALID";
export type NameCheck = { ok: true; name: string } | { ok: false; code: NameErrorCode; message: string };

const WHITESPACE = /\p{White_Space}+/gu;
const STRIPPED = /[\p{Cc}\p{Bidi_Control}]/gu;
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{M}\p{C}\p{Z}\u2800]/u;
const MARK_RUN = new RegExp(`\\p{M}{${MAX_MARKS + 1},}`, "u");
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

const refuse = (code: NameErrorCode, message: string): NameCheck => ({ ok: false, code, message });

export function cleanDisplayName(raw: unknown): NameCheck {
  if (typeof raw !== "string") return refuse("NAME_REQUIRED", "name is required");
  if (!isWellFormed(raw)) return refuse("NAME_INVALID", "name is not well-formed Unicode (a lone surrogate)");
  const name = raw.normalize("NFC").replace(WHITESPACE, " ").replace(STRIPPED, "").replace(WHITESPACE, " ").trim();
  if (!name) return refuse("NAME_REQUIRED", "name is required");
  if (codePoints(name) > MAX_NAME) return refuse("NAME_TOO_LONG", `name is at most ${MAX_NAME} characters`);
  if (![...name].some((c) => !INVISIBLE.test(c))) return refuse("NAME_INVISIBLE", "name needs at least one visible character");
  if (MARK_RUN.test(name)) return refuse("NAME_INVALID", `name has more than ${MAX_MARKS} accents on one character`);
  return { ok: true, name };
}

/** What two names are compared by: equal keys mean one could pass for the other. */
export function nameKey(name: string): string {
  const folded = name.normalize("NFKC").replace(IGNORABLE, "").replace(WHITESPACE, " ").trim();
  // Upper then lower folds more than lower alone ("ß" and "SS", final sigma).
  return folded.toUpperCase().toLowerCase().normalize("NFKC");
}

export interface NameClaim {
  /** A display name already cleaned by cleanDisplayName. */
  name?: string;
  /** A username being set (registered accounts). */
  username?: string | null;
  /** The claimant is a guest. */
  guest: boolean;
  /** The claimant's own id when renaming: their current name is not a conflict. */
  selfId?: string;
}

export type ClaimResult = { ok: true } | { ok: false; code: "NAME_TAKEN"; message: string };

export interface NameRegistry {
  /** Checks that nobody else holds the name (see the rules above) and holds it until `release`. */
  claim(claim: NameClaim): Promise<ClaimResult>;
  /** The row is stored (or the write failed): the database answers for the name from now on. */
  release(...names: (string | null | undefined)[]): void;
}

type Users = Pick<PrismaClient, "user">;

export function createNameRegistry(prisma: Users, now: () => number = Date.now): NameRegistry {
  /** key -> who is claiming it and until when. */
  const pending = new Map<string, { guest: boolean; until: number }>();

  const keysOf = (...names: (string | null | undefined)[]) => [...new Set(names.filter((n): n is string => !!n).map(nameKey))];

  return {
    async claim(claim) {
      const keys = keysOf(claim.name, claim.username);
      if (keys.length === 0) return { ok: true };
      const taken: ClaimResult = {
        ok: false,
        code: "NAME_TAKEN",
        message: `the name "${claim.name ?? claim.username}" is already in use; choose another`,
      };
      /** Another sign-up or rename is writing one of these names right now. */
      const racing = () => {
        const t = now();
        return keys.some((key) => {
          const p = pending.get(key);
          if (p && p.until <= t) pending.delete(key);
          // A registered claimant is only blocked by another registered one.
          return !!p && p.until > t && (claim.guest || !p.guest);
        });
      };
      if (racing()) return taken;
      // Every registered account, and for a guest also every guest still
      // signed in. Compared in code: NFKC and case folding are not SQL. A
      // sign-up is rare and rate-limited; a stored key column is the next
      // step if this scan ever shows up in a profile.
      const rows = await prisma.user.findMany({
        where: {
          ...(claim.selfId ? { id: { not: claim.selfId } } : {}),
          OR: [
            { isAnonymous: { not: true } },
            { isAnonymous: null },
            ...(claim.guest ? [{ isAnonymous: true, sessions: { some: { expiresAt: { gt: new Date(now()) } } } }] : []),
          ],
        },
        select: { name: true, username: true },
      });
      const held = new Set(rows.flatMap((r) => keysOf(r.name, r.username)));
      if (keys.some((key) => held.has(key))) return taken;
      // Looked at again after the query and taken in the same tick, so of two
      // claims racing for one name only the first gets it.
      if (racing()) return taken;
      const until = now() + CLAIM_MS;
      for (const key of keys) pending.set(key, { guest: claim.guest, until });
      return { ok: true };
    },

    release(...names) {
      for (const key of keysOf(...names)) pending.delete(key);
    },
  };
}
