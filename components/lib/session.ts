/**
 * Server components' view of the signed-in user. Reads the app context the
 * custom server registered on globalThis (see server/context.ts).
 */
import { headers } from "next/headers";
import { actorFromHeaders, getContext } from "@/server/context";
import type { Actor } from "@/server/services/actor";

export async function currentActor(): Promise<Actor | null> {
  return actorFromHeaders(getContext().auth, await headers());
}

export function authSettings() {
  return { minPasswordLength: getContext().env.MIN_PASSWORD_LENGTH };
}
