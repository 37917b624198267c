-- Issue 5: faults come from Vigil's rules or from outside (Prometheus alerts via /api/v2/alerts).
-- The source owns the fault's lifecycle and restores it after a restart; existing rows are rule faults.
ALTER TABLE faults ADD COLUMN source text NOT NULL DEFAULT 'rule';
