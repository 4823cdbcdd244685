-- The ledger's checks per database transaction instead of per row, with the same guarantees (0001 describes them):
-- * every posting references an existing account and a transaction created in the same database transaction;
-- * at COMMIT, the postings of every transaction sum to zero per currency.
--
-- 0001 queued a deferred constraint-trigger event for every transaction row (a batch of 5,000 transactions queued
-- 5,000 events, all but the first finding the check already done) and copied every statement's sums into a temp
-- table. Now each INSERT statement on postings sums its own postings per transaction and currency: a statement whose
-- sums are all zero leaves nothing to check (a later statement that adds postings to the same transactions records
-- its own sums), and only non-zero sums are kept until COMMIT, where the postings of a transaction sum to zero exactly
-- when its recorded sums do. The check at COMMIT is a deferred constraint trigger on a marker row, inserted once per
-- database transaction by the first statement that leaves a non-zero sum.

DROP TRIGGER transactions_balance ON transactions;
DROP TRIGGER transactions_inserted ON transactions;
DROP FUNCTION tollgate_transaction_inserted();

-- One row per database transaction whose postings did not balance statement by statement; its deferred trigger runs
-- the balance check at COMMIT (or at SET CONSTRAINTS … IMMEDIATE, after which the next such statement adds a row).
CREATE TABLE balance_checks (
  xact_id      xid8 NOT NULL DEFAULT pg_current_xact_id(),
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
SELECT tollgate_make_append_only('balance_checks');
GRANT SELECT, INSERT ON balance_checks TO {{service_role}};

CREATE OR REPLACE FUNCTION tollgate_postings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
  unbalanced bigint;
BEGIN
  -- Each transaction of the statement once (a batch has one or two postings per transaction).
  SELECT s.transaction_id, t.id IS NULL AS no_transaction INTO bad
  FROM (SELECT DISTINCT transaction_id FROM new_postings) s
  LEFT JOIN transactions t ON t.id = s.transaction_id
  WHERE t.id IS NULL OR t.xmin <> pg_current_xact_id()::xid
  LIMIT 1;
  IF FOUND THEN
    IF bad.no_transaction THEN
      RAISE EXCEPTION 'posting references transaction %, which does not exist', bad.transaction_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RAISE EXCEPTION 'postings may only be added to a transaction created in the same database transaction'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- Each account of the statement once.
  SELECT s.account INTO bad
  FROM (SELECT DISTINCT account FROM new_postings) s
  WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = s.account)
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'posting references account %, which does not exist', bad.account USING ERRCODE = 'foreign_key_violation';
  END IF;

  SELECT count(*) INTO unbalanced FROM (
    SELECT 1 FROM new_postings GROUP BY transaction_id, currency HAVING sum(amount) <> 0
  ) s;
  IF unbalanced = 0 THEN
    RETURN NULL;
  END IF;
  IF to_regclass('pg_temp.tollgate_unchecked_postings') IS NULL THEN
    CREATE TEMP TABLE tollgate_unchecked_postings (transaction_id uuid, currency text, amount numeric) ON COMMIT DELETE ROWS;
  END IF;
  INSERT INTO tollgate_unchecked_postings
    SELECT transaction_id, currency, sum(amount) FROM new_postings GROUP BY 1, 2 HAVING sum(amount) <> 0;
  IF coalesce(current_setting('tollgate.balance_pending', true), '') <> 'yes' THEN
    INSERT INTO balance_checks DEFAULT VALUES;
    PERFORM set_config('tollgate.balance_pending', 'yes', true);
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tollgate_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  IF to_regclass('pg_temp.tollgate_unchecked_postings') IS NOT NULL THEN
    SELECT u.transaction_id, u.currency, sum(u.amount) AS total INTO bad
    FROM tollgate_unchecked_postings u GROUP BY u.transaction_id, u.currency HAVING sum(u.amount) <> 0 LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'transaction % (%) does not balance: postings in % sum to %',
        (SELECT seq FROM transactions WHERE id = bad.transaction_id), (SELECT idempotency_key FROM transactions WHERE id = bad.transaction_id),
        bad.currency, bad.total
        USING ERRCODE = 'check_violation';
    END IF;
    DELETE FROM tollgate_unchecked_postings;
  END IF;
  PERFORM set_config('tollgate.balance_pending', 'no', true);
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER balance_checked AFTER INSERT ON balance_checks
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tollgate_check_balanced();
