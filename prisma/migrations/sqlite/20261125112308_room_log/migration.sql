-- AlterTable
ALTER TABLE "message" ADD COLUMN "deletedAt" DATETIME;
ALTER TABLE "message" ADD COLUMN "editedAt" DATETIME;

-- CreateTable
CREATE TABLE "log_event" (
    "roomId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "messageId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("roomId", "seq"),
    CONSTRAINT "log_event_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "room" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "log_event_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "message" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "log_event_messageId_idx" ON "log_event"("messageId");

-- Backfill: every existing message is the "message" event at its own seq.
INSERT INTO "log_event" ("roomId", "seq", "type", "messageId", "createdAt")
SELECT "roomId", "seq", 'message', "id", "createdAt" FROM "message";
