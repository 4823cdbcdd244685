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

-- A tenant's usage lines are found through the key index above, which starts with the account; the account index
-- keeps the other postings only, so a line costs two index entries besides its primary key's, not three.
DROP INDEX postings_account;
CREATE INDEX postings_account ON postings (account, currency) WHERE revision IS NULL;

-- The prepaid floor reads the account's postings through that index (a prepaid account never holds usage lines).
CREATE OR REPLACE FUNCTION tollgate_check_floor() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  balance numeric;
BEGIN
  SELECT coalesce(sum(amount), 0) INTO balance FROM postings WHERE account = NEW.account AND currency = NEW.currency AND revision IS NULL;
  IF balance > 0 THEN
    RAISE EXCEPTION 'account % would go below zero in %: balance %', NEW.account, NEW.currency, -balance
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
