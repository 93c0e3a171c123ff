-- A submission queued on this device for a shipment that was submitted before on another one
-- (its synced history says so, this device's outbox does not): whether that attempt reached
-- EC-Ship is known only there, so the order is looked up by refNo before any create
-- (issue #17: a cross-device second label).
ALTER TABLE outbox ADD COLUMN look_up INTEGER NOT NULL DEFAULT 0 CHECK (look_up IN (0, 1));
