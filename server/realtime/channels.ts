/**
 * Names of Socket.IO rooms ("channels" here, to keep them apart from chat
 * rooms). Every socket of a user is in its user channel, so a ban or a
 * revoked session can reach all of them; a socket that has caught up with a
 * room's log is in that room's channel and gets its live events from there.
 */
export const roomChannel = (slug: string) => `room:${slug}`;
export const userChannel = (id: string) => `user:${id}`;
/**
 * A socket that watches a room's activity (`rooms:watch`: the sidebar's
 * unread counts) is in its activity channel: one small `room:activity` per
 * new message, no replay, no ordering promise (counts are re-read from
 * GET /api/rooms on reconnect).
 */
export const activityChannel = (slug: string) => `activity:${slug}`;
