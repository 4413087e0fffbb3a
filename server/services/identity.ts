/**
 * A guest becomes an account in place: the same user row gets a username, a
 * password (better-auth's credential account, hashed by better-auth) and the
 * member role, so their id, display name, messages, rooms, read state and
 * open sessions all stay as they are. (better-auth's anonymous linking, by
 * contrast, creates a second user and leaves the data to be moved across.)
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Auth } from "../auth";
import { ROLES } from "../auth";
import { text } from "../contract";
import { AppError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import { createNameRegistry } from "../lib/names";
import type { Actor } from "./actor";

/** The username plugin's rule: 3-30 letters, digits, `_` and `.`. */
const USERNAME = /^[a-zA-Z0-9_.]{3,30}$/;

export interface IdentityService {
  /** Turns the signed-in guest into a registered account; returns the new username. */
  upgradeGuest(actor: Actor, input: unknown): Promise<{ username: string }>;
}

export function createIdentityService(deps: { prisma: PrismaClient; auth: Auth; minPasswordLength: number }): IdentityService {
  const { prisma, auth } = deps;
  const names = createNameRegistry(prisma);
  const schema = z.object({
    username: text().trim().regex(USERNAME, "a username is 3 to 30 letters, digits, _ or ."),
    password: text().min(deps.minPasswordLength, `the password needs at least ${deps.minPasswordLength} characters`).max(128),
  });

  return {
    async upgradeGuest(actor, input) {
      const { username, password } = schema.parse(input);
      const user = await prisma.user.findUnique({ where: { id: actor.id }, select: { isAnonymous: true, name: true } });
      if (!user) throw new AppError("unauthorized", "sign in first");
      if (user.isAnonymous !== true) throw new AppError("invalid", "this account is already registered");
      // As a registered account now: its name and username against every other one.
      const claimed = await names.claim({ name: user.name, username, guest: false, selfId: actor.id });
      if (!claimed.ok) throw new AppError("conflict", claimed.message);
      try {
        const hash = await (await auth.$context).password.hash(password);
        const registered = await prisma.user.count({ where: { NOT: { isAnonymous: true } } });
        await prisma.$transaction(async (tx) => {
          await tx.user.update({
            where: { id: actor.id },
            data: { isAnonymous: false, username: username.toLowerCase(), displayUsername: username, role: registered === 0 ? ROLES.admin : ROLES.member },
          });
          await tx.account.create({ data: { id: randomUUID(), accountId: actor.id, providerId: "credential", userId: actor.id, password: hash } });
        });
      } catch (err) {
        if ((err as { code?: string }).code === "P2002") throw new AppError("conflict", `the name "${username}" is already in use; choose another`);
        throw err;
      } finally {
        names.release(user.name, username);
      }
      return { username: username.toLowerCase() };
    },
  };
}
