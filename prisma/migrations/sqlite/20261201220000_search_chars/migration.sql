-- Short queries (1 or 2 characters) on SQLite: an FTS5 table instead of the
-- gram table. Each live body is written as one ASCII token per case-folded
-- code point ("u" and its hex code point: "你好" is "u4f60 u597d"), its rowid
-- the message row's rowid, so a query is a phrase of its characters' tokens.
-- One row per message instead of a B-tree row per distinct unigram and
-- bigram (about 0.1 ms per send instead of about 2 ms, docs/benchmarks.md).
-- The store and the services write it (server/services/search.ts); the
-- trigger removes the row of a message row that is deleted (a room's or a
-- user's deletion cascades to its messages).
CREATE VIRTUAL TABLE "message_chars" USING fts5(doc, tokenize = 'ascii');

CREATE TRIGGER "message_chars_delete" AFTER DELETE ON "message" BEGIN
  DELETE FROM "message_chars" WHERE rowid = old.rowid;
END;

-- Messages written before this migration. SQLite's lower() folds ASCII only,
-- the service all of Unicode, as in the gram backfill before it.
INSERT INTO "message_chars"(rowid, doc)
WITH RECURSIVE pos(rid, body, i) AS (
  SELECT rowid, lower(body), 1 FROM "message" WHERE "deletedAt" IS NULL AND body <> ''
  UNION ALL
  SELECT rid, body, i + 1 FROM pos WHERE i < length(body)
)
SELECT rid, group_concat(tok, ' ') FROM (
  SELECT rid, i, printf('u%x', unicode(substr(body, i, 1))) AS tok FROM pos ORDER BY rid, i
) GROUP BY rid;

-- The gram table stays in the schema (PostgreSQL searches with it) and is
-- no longer written on SQLite.
DELETE FROM "message_gram";
