-- AlterTable
ALTER TABLE "room" ADD COLUMN     "dmKey" TEXT,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'room';

-- CreateTable
CREATE TABLE "message_gram" (
    "gram" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,

    CONSTRAINT "message_gram_pkey" PRIMARY KEY ("gram","messageId")
);

-- CreateTable
CREATE TABLE "block" (
    "blockerId" TEXT NOT NULL,
    "blockedId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "block_pkey" PRIMARY KEY ("blockerId","blockedId")
);

-- CreateIndex
CREATE INDEX "message_gram_messageId_idx" ON "message_gram"("messageId");

-- CreateIndex
CREATE INDEX "block_blockedId_idx" ON "block"("blockedId");

-- CreateIndex
CREATE UNIQUE INDEX "room_dmKey_key" ON "room"("dmKey");

-- AddForeignKey
ALTER TABLE "message_gram" ADD CONSTRAINT "message_gram_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "block" ADD CONSTRAINT "block_blockerId_fkey" FOREIGN KEY ("blockerId") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "block" ADD CONSTRAINT "block_blockedId_fkey" FOREIGN KEY ("blockedId") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Search (hand-written): the gram table for messages written before this
-- migration (the service writes it from now on): each body's distinct
-- unigrams and bigrams, lower-cased.
INSERT INTO "message_gram" ("gram", "messageId")
SELECT DISTINCT g.gram, g.id FROM (
  SELECT m."id", substr(lower(m."body"), i, 1) AS gram
    FROM "message" m, generate_series(1, char_length(m."body")) AS i
   WHERE m."deletedAt" IS NULL
  UNION ALL
  SELECT m."id", substr(lower(m."body"), i, 2) AS gram
    FROM "message" m, generate_series(1, char_length(m."body") - 1) AS i
   WHERE m."deletedAt" IS NULL
) AS g
ON CONFLICT DO NOTHING;
