-- Usage lines: rated usage carried by postings instead of one ledger transaction per (tenant, feature, hour).
--
-- Until now every rated hour of every feature was a transaction of its own: three rows (a transaction, two postings),
-- seven index entries and three SHA-256 hashes per hour. Rating now writes one transaction per tenant, billing period,
-- kind (charges, adjustments) and rating run; each rated hour is one posting on the tenant's unbilled account that
-- carries its usage key (feature, hour, revision) and quantity, and the transaction credits each feature's revenue
-- account once with the sum. The key stays unique, enforced here, and the transaction's hashes cover every line.
--
-- Transactions written before this migration keep their rating key on the transaction row (0001); the read models
-- read both shapes.

ALTER TABLE postings
  ADD COLUMN feature_id    text,
  ADD COLUMN window_start  timestamptz,
  ADD COLUMN revision      integer,
  ADD COLUMN quantity      numeric;

-- A usage line has all four, any other posting none; usage lines are on a tenant's unbilled account.
ALTER TABLE postings ADD CONSTRAINT postings_usage_line CHECK (
  (feature_id IS NULL) = (revision IS NULL) AND (window_start IS NULL) = (revision IS NULL) AND (quantity IS NULL) = (revision IS NULL)
  AND (revision IS NULL OR (revision >= 0 AND account LIKE 'customer:%:unbilled'))
);

-- The rating key (tenant, feature, hour, revision): the account is the tenant's unbilled account.
CREATE UNIQUE INDEX postings_usage_line_key ON postings (account, feature_id, window_start, revision) WHERE revision IS NOT NULL;
