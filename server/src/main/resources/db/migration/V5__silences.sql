-- Silences, maintenance windows and inhibit rules. (V4 is reserved for another change.)
-- Rows are never deleted: ending or removing one stamps who and when, so the history stays readable.

CREATE TABLE silences (
  id         text PRIMARY KEY,
  matchers   jsonb NOT NULL,                   -- [{"name","value","isRegex","isEqual"}], Alertmanager's shape
  starts_at  timestamptz NOT NULL,
  ends_at    timestamptz NOT NULL CHECK (ends_at >= starts_at),
  created_by text NOT NULL,
  comment    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,                      -- expired early via DELETE (ends_at is then set to that moment)
  deleted_by text
);
CREATE INDEX silences_by_end ON silences (ends_at DESC);

CREATE TABLE maintenance_windows (
  id         text PRIMARY KEY,
  customer   text NOT NULL,
  system     text,                             -- null: every system of the customer
  days       text[] NOT NULL,                  -- ISO day names the window starts on: MONDAY … SUNDAY
  start_time time NOT NULL,
  end_time   time NOT NULL,                    -- not after start_time: the window crosses midnight
  time_zone  text NOT NULL,
  comment    text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  deleted_by text
);

CREATE TABLE inhibit_rules (
  id           text PRIMARY KEY,
  source_match jsonb NOT NULL,
  target_match jsonb NOT NULL,
  equal_labels text[] NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  deleted_at   timestamptz,
  deleted_by   text
);

-- The fault's muting as last decided ({"silencedBy","maintenance","inhibitedBy","until","reason"});
-- null when not muted. Stored with the fault so the muted state survives a restart and a future
-- notifier reads the decision from the same row.
ALTER TABLE faults ADD COLUMN muted_by jsonb;
