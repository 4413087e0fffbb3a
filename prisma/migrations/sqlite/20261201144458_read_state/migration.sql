-- CreateTable
CREATE TABLE "read_state" (
    "userId" TEXT NOT NULL,
    "roomId" TEXT NOT NULL,
    "lastReadSeq" INTEGER NOT NULL DEFAULT 0,
    "muted" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("userId", "roomId"),
    CONSTRAINT "read_state_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "room" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "read_state_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "read_state_roomId_idx" ON "read_state"("roomId");
