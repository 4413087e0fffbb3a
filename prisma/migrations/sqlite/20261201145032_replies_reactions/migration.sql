-- CreateTable
CREATE TABLE "reaction" (
    "messageId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "emoji" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("messageId", "userId", "emoji"),
    CONSTRAINT "reaction_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "message" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "reaction_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_message" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "roomId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "clientId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "editedAt" DATETIME,
    "deletedAt" DATETIME,
    "replyToId" TEXT,
    "mentions" TEXT NOT NULL DEFAULT '[]',
    CONSTRAINT "message_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "room" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "message_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "message_replyToId_fkey" FOREIGN KEY ("replyToId") REFERENCES "message" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_message" ("authorId", "body", "clientId", "createdAt", "deletedAt", "editedAt", "id", "roomId", "seq") SELECT "authorId", "body", "clientId", "createdAt", "deletedAt", "editedAt", "id", "roomId", "seq" FROM "message";
DROP TABLE "message";
ALTER TABLE "new_message" RENAME TO "message";
CREATE UNIQUE INDEX "message_roomId_seq_key" ON "message"("roomId", "seq");
CREATE UNIQUE INDEX "message_authorId_clientId_key" ON "message"("authorId", "clientId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "reaction_messageId_createdAt_idx" ON "reaction"("messageId", "createdAt");
