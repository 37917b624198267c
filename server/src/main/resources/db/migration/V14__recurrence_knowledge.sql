-- Issue 11: recurrence, satisfaction reviews and the knowledge base.
ALTER TABLE tickets
  ADD COLUMN recurrences integer NOT NULL DEFAULT 0,   -- times its fingerprint fired again within the recurrence window
  ADD COLUMN recurrence_of bigint REFERENCES tickets (id),  -- link mode: the earlier ticket this one recurs
  ADD COLUMN review_of bigint REFERENCES tickets (id),      -- a review opened by a low satisfaction answer
  -- Resolution text for search: words, and CJK text as overlapping bigrams (io.vigil.rules.SearchText).
  ADD COLUMN search tsvector;
CREATE INDEX tickets_search ON tickets USING gin (search) WHERE search IS NOT NULL;
CREATE INDEX tickets_recent_by_fingerprint ON tickets (fingerprint, id DESC);
