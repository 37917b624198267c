-- Rules, grading and flap control managed through the API: every change is a new version with
-- who and when (a NULL definition is a deletion), so history is never overwritten. The rules file
-- stays the other source; the server merges both at start-up and after every change.
CREATE TABLE managed_config (
  id         bigserial PRIMARY KEY,
  kind       text NOT NULL CHECK (kind IN ('rule', 'grading', 'flapping')),
  name       text NOT NULL,
  version    int NOT NULL CHECK (version > 0),
  definition jsonb,
  actor      text NOT NULL,
  at         timestamptz NOT NULL,
  UNIQUE (kind, name, version)
);
