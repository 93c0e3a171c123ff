-- Typed pairing codes run SPAKE2 (issue #18); the same model as the SQLite backend's
-- 0004_pairing_answers.sql. The one device that answers a slot leaves its message here for the
-- first device to read. One answer per slot; the slot expires as before.
-- An answerable slot is never handed out by the one-time fetch: its lookup id (the code's
-- nameplate) is public, and anyone could take it.
ALTER TABLE pairing_slots ADD COLUMN answerable boolean NOT NULL DEFAULT false;
ALTER TABLE pairing_slots ADD COLUMN answer bytea;
