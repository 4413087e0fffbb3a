-- CreateTable
CREATE TABLE "message_gram" (
    "gram" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,

    PRIMARY KEY ("gram", "messageId"),
    CONSTRAINT "message_gram_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "message" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "block" (
    "blockerId" TEXT NOT NULL,
    "blockedId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("blockerId", "blockedId"),
    CONSTRAINT "block_blockerId_fkey" FOREIGN KEY ("blockerId") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "block_blockedId_fkey" FOREIGN KEY ("blockedId") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_room" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "topic" TEXT,
    "visibility" TEXT NOT NULL DEFAULT 'public',
    "lastSeq" INTEGER NOT NULL DEFAULT 0,
    "readOnly" BOOLEAN NOT NULL DEFAULT false,
    "epoch" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'room',
    "dmKey" TEXT,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "room_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "user" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_room" ("createdAt", "createdById", "epoch", "id", "lastSeq", "name", "readOnly", "slug", "topic", "visibility") SELECT "createdAt", "createdById", "epoch", "id", "lastSeq", "name", "readOnly", "slug", "topic", "visibility" FROM "room";
DROP TABLE "room";
ALTER TABLE "new_room" RENAME TO "room";
CREATE UNIQUE INDEX "room_slug_key" ON "room"("slug");
CREATE UNIQUE INDEX "room_dmKey_key" ON "room"("dmKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "message_gram_messageId_idx" ON "message_gram"("messageId");

-- CreateIndex
CREATE INDEX "block_blockedId_idx" ON "block"("blockedId");

-- Search (hand-written, Prisma does not model these). FTS5 with the trigram
-- tokenizer indexes every live body for queries of 3+ characters in any
-- script, and its rowid is the message row's rowid. The triggers keep it in step
-- on every path that writes a message: a send inserts, an edit replaces, a
-- deletion (the body erased, deletedAt set) removes.
CREATE VIRTUAL TABLE "message_fts" USING fts5(body, tokenize = 'trigram');

CREATE TRIGGER "message_fts_insert" AFTER INSERT ON "message" WHEN new."deletedAt" IS NULL BEGIN
  INSERT INTO "message_fts"(rowid, body) VALUES (new.rowid, new.body);
END;

CREATE TRIGGER "message_fts_update" AFTER UPDATE OF "body", "deletedAt" ON "message" BEGIN
  DELETE FROM "message_fts" WHERE rowid = old.rowid;
  INSERT INTO "message_fts"(rowid, body) SELECT new.rowid, new.body WHERE new."deletedAt" IS NULL;
END;

CREATE TRIGGER "message_fts_delete" AFTER DELETE ON "message" BEGIN
  DELETE FROM "message_fts" WHERE rowid = old.rowid;
END;

INSERT INTO "message_fts"(rowid, body) SELECT rowid, body FROM "message" WHERE "deletedAt" IS NULL;

-- The gram table for messages written before this migration (the service
-- writes it from now on): each body's distinct unigrams and bigrams.
-- SQLite's lower() folds ASCII only, the service all of Unicode, so
-- a rare uppercase non-ASCII letter in an old message matches case-sensitively.
INSERT OR IGNORE INTO "message_gram"("gram", "messageId")
WITH RECURSIVE pos(id, body, i) AS (
  SELECT id, lower(body), 1 FROM "message" WHERE "deletedAt" IS NULL AND body <> ''
  UNION ALL
  SELECT id, body, i + 1 FROM pos WHERE i < length(body)
)
SELECT substr(body, i, 1), id FROM pos
UNION
SELECT substr(body, i, 2), id FROM pos WHERE i < length(body);
