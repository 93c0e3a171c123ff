-- Typed pairing codes run SPAKE2 (issue #18): the first device parks its message in a slot
-- named by the code's nameplate, and the one device that answers leaves its message here for
-- the first device to read. One answer per slot; the slot expires as before.
-- An answerable slot is never handed out by the one-time fetch: its lookup id (the code's
-- nameplate) is public, and anyone could take it.
ALTER TABLE pairing_slots ADD COLUMN answerable INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pairing_slots ADD COLUMN answer BLOB;
