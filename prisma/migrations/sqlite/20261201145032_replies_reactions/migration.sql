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

-- AlterTable: columns added in place rather than by redefining "message"
-- (what Prisma writes for a new foreign key), so a big table is not copied
-- and whatever else hangs on it (indexes, triggers) stays.
ALTER TABLE "message" ADD COLUMN "replyToId" TEXT REFERENCES "message" ("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "message" ADD COLUMN "mentions" TEXT NOT NULL DEFAULT '[]';

-- CreateIndex
CREATE INDEX "reaction_messageId_createdAt_idx" ON "reaction"("messageId", "createdAt");
