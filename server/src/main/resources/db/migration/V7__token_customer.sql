-- An ingest token may be bound to a customer: its samples get that customer label when they carry
-- none, and a sample naming another customer is refused (403). NULL: not bound.
ALTER TABLE tokens ADD COLUMN customer text;
ALTER TABLE tokens ADD CONSTRAINT tokens_customer_only_for_ingest CHECK (customer IS NULL OR role = 'ingest');
