-- Issue 4: graded faults carry their explanation, rendered annotations and the keep_firing_for
-- deadline, and a fault may be 'flapping' (active, pages held back, until it is quiet again).
ALTER TABLE faults DROP CONSTRAINT faults_state_check;
ALTER TABLE faults ADD CONSTRAINT faults_state_check CHECK (state IN ('pending', 'firing', 'flapping', 'resolved'));
ALTER TABLE faults ADD COLUMN grading jsonb NOT NULL DEFAULT '[]';
ALTER TABLE faults ADD COLUMN annotations jsonb NOT NULL DEFAULT '{}';
ALTER TABLE faults ADD COLUMN keep_firing_until timestamptz;
-- Flap history is rebuilt at start-up from recent faults of the same fingerprint.
CREATE INDEX faults_by_fingerprint_recent ON faults (fingerprint, starts_at DESC);
