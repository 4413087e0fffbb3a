/**
 * Names of Socket.IO rooms ("channels" here, to keep them apart from chat
 * rooms). Every socket of a user is in its user channel, so a ban or a
 * revoked session can reach all of them; a socket that has caught up with a
 * room's log is in that room's channel and gets its live events from there.
 */
export const roomChannel = (slug: string) => `room:${slug}`;
export const userChannel = (id: string) => `user:${id}`;
