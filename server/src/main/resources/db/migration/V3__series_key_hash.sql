-- A series key (metric + every label) can exceed btree's 2704-byte row limit; index its SHA-256
-- instead, so any label set the ingest limits allow can be stored.
-- convert_to() is only STABLE in general (it depends on the source encoding), but with a fixed
-- database encoding and an explicit target it is deterministic, which is what IMMUTABLE promises.
CREATE FUNCTION vigil_key_hash(text) RETURNS bytea
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT sha256(convert_to($1, 'UTF8')) $$;
ALTER TABLE series DROP CONSTRAINT series_key_key;
CREATE UNIQUE INDEX series_key_sha256 ON series (vigil_key_hash(key));
