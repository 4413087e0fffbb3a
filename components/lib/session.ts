/**
 * Server components' view of the signed-in user. Reads the app context the
 * custom server registered on globalThis (see server/context.ts), through the
 * same credential resolver every other edge uses.
 */
import { headers } from "next/headers";
import { getContext } from "@/server/context";
import type { Actor } from "@/server/services/actor";

export async function currentActor(): Promise<Actor | null> {
  return getContext().credentials.sessionActor(await headers());
}

/** The admin policy's answer, read fresh (a revoked admin loses /admin at once). */
export async function isAdmin(actor: Actor | null): Promise<boolean> {
  return getContext().admin.isAdmin(actor);
}

export function authSettings() {
  return { minPasswordLength: getContext().env.MIN_PASSWORD_LENGTH };
}
