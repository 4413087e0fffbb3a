-- CreateTable
CREATE TABLE "read_state" (
    "userId" TEXT NOT NULL,
    "roomId" TEXT NOT NULL,
    "lastReadSeq" INTEGER NOT NULL DEFAULT 0,
    "muted" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "read_state_pkey" PRIMARY KEY ("userId","roomId")
);

-- CreateIndex
CREATE INDEX "read_state_roomId_idx" ON "read_state"("roomId");

-- AddForeignKey
ALTER TABLE "read_state" ADD CONSTRAINT "read_state_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "room"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "read_state" ADD CONSTRAINT "read_state_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;
