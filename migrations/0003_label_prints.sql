-- Every time a label is printed: who, when, how many copies, and whether it was the
-- operator's own label (EC-Ship's PDF) or Satchel's layout. Reprints are free, and this is
-- how a merchant answers "did this one go out twice?" (issue #13).
CREATE TABLE label_prints (
    id INTEGER PRIMARY KEY,
    shipment_id TEXT NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    printed_ms INTEGER NOT NULL,
    who TEXT NOT NULL,
    copies INTEGER NOT NULL CHECK (copies > 0),
    operator_label INTEGER NOT NULL CHECK (operator_label IN (0, 1))
) STRICT;

CREATE INDEX label_prints_by_shipment ON label_prints (shipment_id, printed_ms);
