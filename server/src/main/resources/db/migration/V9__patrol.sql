-- Issue 5, patrol: the customer / system inventory and the stored daily patrol reports.
-- (V7 and V8 belong to other changes of issue 5.)

CREATE TABLE customers (
  id         text PRIMARY KEY,                 -- the `customer` label of its samples
  name       text NOT NULL,
  tier       text NOT NULL,                    -- contract tier: 7x24, 5x8, vip, ...
  time_zone  text NOT NULL,                    -- IANA zone: where its report days begin and end
  contacts   jsonb NOT NULL DEFAULT '[]',      -- [{"name","phone","email"}]
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE systems (
  customer              text NOT NULL REFERENCES customers (id),
  id                    text NOT NULL,         -- the `system` label of its samples
  name                  text NOT NULL,
  heartbeat_interval_ms bigint CHECK (heartbeat_interval_ms > 0),  -- null: no automatic NoData
  criticality           text NOT NULL CHECK (criticality IN ('high', 'normal', 'low')),
  probes                jsonb NOT NULL DEFAULT '[]',
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer, id)
);
CREATE INDEX systems_by_id ON systems (id);

-- One report per customer and day, generated once (at VIGIL_PATROL_REPORT_AT in the customer's
-- zone) and then never changed, so a past day reads the same every time.
CREATE TABLE patrol_reports (
  customer     text NOT NULL,
  day          date NOT NULL,
  generated_at timestamptz NOT NULL,
  report       jsonb NOT NULL,
  PRIMARY KEY (customer, day)
);

-- The report reads the day's probe, heartbeat and disk samples by name.
CREATE INDEX IF NOT EXISTS faults_by_rule_start ON faults (rule, starts_at);
