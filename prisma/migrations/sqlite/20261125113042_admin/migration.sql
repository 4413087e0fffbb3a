-- CreateTable
CREATE TABLE "broadcast" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "text" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "roomId" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME,
    "retractedAt" DATETIME,
    "recipients" INTEGER NOT NULL DEFAULT 0,
    "acks" INTEGER NOT NULL DEFAULT 0,
    "lastAckAt" DATETIME,
    CONSTRAINT "broadcast_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "room" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "broadcast_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "broadcast_ack" (
    "broadcastId" TEXT NOT NULL,
    "connId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("broadcastId", "connId"),
    CONSTRAINT "broadcast_ack_broadcastId_fkey" FOREIGN KEY ("broadcastId") REFERENCES "broadcast" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "mute" (
    "roomId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "until" DATETIME NOT NULL,

    PRIMARY KEY ("roomId", "userId"),
    CONSTRAINT "mute_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "room" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "mute_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "actorId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "detail" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_log_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_log_event" (
    "roomId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "messageId" TEXT,
    "broadcastId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("roomId", "seq"),
    CONSTRAINT "log_event_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "room" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "log_event_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "message" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "log_event_broadcastId_fkey" FOREIGN KEY ("broadcastId") REFERENCES "broadcast" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_log_event" ("createdAt", "messageId", "roomId", "seq", "type") SELECT "createdAt", "messageId", "roomId", "seq", "type" FROM "log_event";
DROP TABLE "log_event";
ALTER TABLE "new_log_event" RENAME TO "log_event";
CREATE INDEX "log_event_messageId_idx" ON "log_event"("messageId");
CREATE INDEX "log_event_broadcastId_idx" ON "log_event"("broadcastId");
CREATE TABLE "new_room" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "topic" TEXT,
    "visibility" TEXT NOT NULL DEFAULT 'public',
    "lastSeq" INTEGER NOT NULL DEFAULT 0,
    "readOnly" BOOLEAN NOT NULL DEFAULT false,
    "epoch" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "room_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "user" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_room" ("createdAt", "createdById", "epoch", "id", "lastSeq", "name", "slug", "topic", "visibility") SELECT "createdAt", "createdById", "epoch", "id", "lastSeq", "name", "slug", "topic", "visibility" FROM "room";
DROP TABLE "room";
ALTER TABLE "new_room" RENAME TO "room";
CREATE UNIQUE INDEX "room_slug_key" ON "room"("slug");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "broadcast_createdAt_idx" ON "broadcast"("createdAt");

-- CreateIndex
CREATE INDEX "audit_log_createdAt_idx" ON "audit_log"("createdAt");

-- CreateIndex
CREATE INDEX "audit_log_action_idx" ON "audit_log"("action");
