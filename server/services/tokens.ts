/**
 * Tokens for clients that cannot carry a browser session:
 * - API tokens act as their user (native WebSocket, scripts);
 * - feed tokens grant read-only access to one private room's SSE feed.
 * Tokens are 32 random bytes shown once; only their SHA-256 is stored, so a
 * database leak does not leak usable tokens.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client";
import type { Bus } from "../bus";
import { text } from "../contract";
import { AppError } from "../errors";
import type { Limiter } from "../lib/limits";
import type { Actor } from "./actor";
import type { RoomService } from "./rooms";

const labelSchema = z.object({ name: text().trim().min(1).max(60).default("token") });

export const API_TOKEN_PREFIX = "rat_";
export const FEED_TOKEN_PREFIX = "rft_";

const hash = (token: string) => createHash("sha256").update(token).digest("hex");
const mint = (prefix: string) => prefix + randomBytes(32).toString("base64url");

export interface TokenInfo {
  id: string;
  name: string;
  createdAt: string;
}

export interface TokenService {
  createApiToken(actor: Actor, input: unknown): Promise<TokenInfo & { token: string }>;
  listApiTokens(actor: Actor): Promise<TokenInfo[]>;
  revokeApiToken(actor: Actor, id: string): Promise<void>;
  /** The user an API token acts as (and the token's id, for revocation), or null. */
  verifyApiToken(token: string): Promise<{ actor: Actor; tokenId: string } | null>;

  createFeedToken(actor: Actor, slug: string, input: unknown): Promise<TokenInfo & { token: string }>;
  listFeedTokens(actor: Actor, slug: string): Promise<TokenInfo[]>;
  revokeFeedToken(actor: Actor, slug: string, id: string): Promise<void>;
  /**
   * A live feed token: not revoked, and its maker neither banned nor removed
   * from the room (a token is worth what its maker's membership is worth).
   */
  verifyFeedToken(token: string): Promise<{ tokenId: string; roomId: string; createdById: string } | null>;
}

export function createTokenService(prisma: PrismaClient, bus: Bus, rooms: RoomService, limiter: Limiter): TokenService {
  const info = (t: { id: string; name?: string; label?: string; createdAt: Date }): TokenInfo => ({
    id: t.id,
    name: t.name ?? t.label ?? "",
    createdAt: t.createdAt.toISOString(),
  });

  async function privateRoom(actor: Actor, slug: string) {
    const room = await rooms.access(actor, slug);
    if (room.visibility !== "private") throw new AppError("public_room_feed", "public rooms' feeds need no token");
    // A DM is for its two members only: no feed, no embed.
    if (room.kind === "dm") throw new AppError("invalid", "direct messages have no feed");
    return room;
  }

  return {
    async createApiToken(actor, input) {
      if (actor.guest) throw new AppError("guest_no_tokens", "guests cannot create API tokens; register an account");
      const { name } = labelSchema.parse(input ?? {});
      await limiter.take(actor.id);
      const token = mint(API_TOKEN_PREFIX);
      const row = await prisma.apiToken.create({ data: { id: randomUUID(), userId: actor.id, name, tokenHash: hash(token) } });
      return { ...info(row), token };
    },
    async listApiTokens(actor) {
      const rows = await prisma.apiToken.findMany({ where: { userId: actor.id }, orderBy: { createdAt: "desc" } });
      return rows.map(info);
    },
    async revokeApiToken(actor, id) {
      const { count } = await prisma.apiToken.deleteMany({ where: { id, userId: actor.id } });
      if (count === 0) throw new AppError("no_token", "no such token");
      // Connections opened with it close now, on every node.
      bus.publish({ type: "revoke", room: "", scope: { tokenId: id }, reason: "token_revoked" });
    },
    async verifyApiToken(token) {
      if (!token.startsWith(API_TOKEN_PREFIX)) return null;
      const row = await prisma.apiToken.findUnique({ where: { tokenHash: hash(token) }, include: { user: true } });
      if (!row || row.user.banned) return null;
      await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
      const actor = { id: row.user.id, name: row.user.name, role: row.user.role ?? "member", guest: row.user.isAnonymous === true };
      return { actor, tokenId: row.id };
    },

    async createFeedToken(actor, slug, input) {
      const room = await privateRoom(actor, slug);
      const { name } = labelSchema.parse(input ?? {});
      await limiter.take(actor.id);
      const token = mint(FEED_TOKEN_PREFIX);
      const row = await prisma.feedToken.create({
        data: { id: randomUUID(), roomId: room.id, createdById: actor.id, label: name, tokenHash: hash(token) },
      });
      return { ...info(row), token };
    },
    async listFeedTokens(actor, slug) {
      const room = await privateRoom(actor, slug);
      const rows = await prisma.feedToken.findMany({ where: { roomId: room.id, revokedAt: null }, orderBy: { createdAt: "desc" } });
      return rows.map(info);
    },
    async revokeFeedToken(actor, slug, id) {
      const room = await privateRoom(actor, slug);
      const { count } = await prisma.feedToken.updateMany({ where: { id, roomId: room.id, revokedAt: null }, data: { revokedAt: new Date() } });
      if (count === 0) throw new AppError("no_token", "no such feed token");
      bus.publish({ type: "revoke", room: "", scope: { tokenId: id }, reason: "token_revoked" });
    },
    async verifyFeedToken(token) {
      if (!token.startsWith(FEED_TOKEN_PREFIX)) return null;
      const row = await prisma.feedToken.findUnique({
        where: { tokenHash: hash(token) },
        select: { id: true, roomId: true, revokedAt: true, createdById: true, createdBy: { select: { banned: true } } },
      });
      if (!row || row.revokedAt || row.createdBy.banned) return null;
      const member = await prisma.roomMember.findUnique({
        where: { roomId_userId: { roomId: row.roomId, userId: row.createdById } },
        select: { userId: true },
      });
      if (!member) return null;
      return { tokenId: row.id, roomId: row.roomId, createdById: row.createdById };
    },
  };
}
