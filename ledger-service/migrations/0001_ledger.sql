-- The ledger: accounts, transactions, postings. Append-only, enforced here rather than by convention:
-- * postings of a transaction sum to zero per currency, checked at COMMIT by a deferred constraint trigger;
-- * postings may only be added to a transaction created in the same database transaction, on existing accounts;
-- * UPDATE and DELETE are refused by row triggers, TRUNCATE by statement triggers, and the service role
--   ({{service_role}}) is granted only SELECT and INSERT on these tables.

CREATE FUNCTION tollgate_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE FUNCTION tollgate_make_append_only(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TRIGGER refuse_update_delete BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION tollgate_refuse_change()', tbl);
  EXECUTE format('CREATE TRIGGER refuse_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION tollgate_refuse_change()', tbl);
END $$;

CREATE TABLE accounts (
  id          text PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('asset', 'liability', 'revenue', 'contra_revenue', 'expense')),
  tenant_id   text,
  floor_zero  boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE transactions (
  seq              bigint PRIMARY KEY,
  id               uuid NOT NULL UNIQUE,
  idempotency_key  text NOT NULL UNIQUE,
  input_hash       text NOT NULL,
  kind             text NOT NULL,
  tenant_id        text,
  effective_at     timestamptz NOT NULL,
  recorded_at      timestamptz NOT NULL,
  description      text NOT NULL,
  feature_id       text,
  window_start     timestamptz,
  revision         integer,
  quantity         numeric,
  invoice_id       uuid,
  -- The chain (hash = sha256 of the content and prev_hash) is checked by `tollgate ledger verify`.
  prev_hash        text NOT NULL,
  hash             text NOT NULL
);
CREATE UNIQUE INDEX transactions_rating_key ON transactions (tenant_id, feature_id, window_start, revision) WHERE revision IS NOT NULL;
CREATE INDEX transactions_tenant_effective ON transactions (tenant_id, effective_at);

-- Postings reference their transaction and account; both are checked once per INSERT statement (below) rather
-- than by a foreign-key trigger per row, which would cost more than the insert itself.
CREATE TABLE postings (
  transaction_id  uuid NOT NULL,
  line            smallint NOT NULL,
  account         text NOT NULL,
  currency        text NOT NULL,
  amount          numeric NOT NULL,
  PRIMARY KEY (transaction_id, line)
);
CREATE INDEX postings_account ON postings (account, currency);

-- Per INSERT statement on postings: every posting belongs to an existing account and to a transaction created in
-- this same database transaction (a committed transaction balanced; a posting added later would unbalance it).
-- The statement's sums per transaction and currency are kept in a temp table until the balance check at COMMIT.
CREATE FUNCTION tollgate_postings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT p.transaction_id, p.account, t.id IS NULL AS no_transaction, a.id IS NULL AS no_account INTO bad
  FROM new_postings p
  LEFT JOIN transactions t ON t.id = p.transaction_id
  LEFT JOIN accounts a ON a.id = p.account
  WHERE t.id IS NULL OR a.id IS NULL OR t.xmin::text::bigint <> txid_current() % 4294967296
  LIMIT 1;
  IF FOUND THEN
    IF bad.no_transaction THEN
      RAISE EXCEPTION 'posting references transaction %, which does not exist', bad.transaction_id USING ERRCODE = 'foreign_key_violation';
    ELSIF bad.no_account THEN
      RAISE EXCEPTION 'posting references account %, which does not exist', bad.account USING ERRCODE = 'foreign_key_violation';
    END IF;
    RAISE EXCEPTION 'postings may only be added to a transaction created in the same database transaction'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF to_regclass('pg_temp.tollgate_unchecked_postings') IS NULL THEN
    CREATE TEMP TABLE tollgate_unchecked_postings (transaction_id uuid, currency text, amount numeric) ON COMMIT DELETE ROWS;
  END IF;
  INSERT INTO tollgate_unchecked_postings SELECT transaction_id, currency, sum(amount) FROM new_postings GROUP BY 1, 2;
  PERFORM set_config('tollgate.balance_checked', 'no', true);
  RETURN NULL;
END $$;

CREATE TRIGGER postings_inserted AFTER INSERT ON postings
  REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION tollgate_postings_inserted();

-- At COMMIT, the first new transaction's deferred trigger checks every transaction of this database transaction
-- at once; the others find the check done.
CREATE FUNCTION tollgate_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  IF coalesce(current_setting('tollgate.balance_checked', true), 'no') = 'yes' THEN
    RETURN NULL;
  END IF;
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
  PERFORM set_config('tollgate.balance_checked', 'yes', true);
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER transactions_balance AFTER INSERT ON transactions
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tollgate_check_balanced();

-- A new transaction row resets the check too, so SET CONSTRAINTS ALL IMMEDIATE mid-way cannot let later rows skip it.
CREATE FUNCTION tollgate_transaction_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('tollgate.balance_checked', 'no', true);
  RETURN NULL;
END $$;

CREATE TRIGGER transactions_inserted AFTER INSERT ON transactions FOR EACH STATEMENT EXECUTE FUNCTION tollgate_transaction_inserted();

-- Prepaid credit cannot go negative: a floor_zero liability may never end a commit with a debit balance.
CREATE FUNCTION tollgate_check_floor() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  balance numeric;
BEGIN
  SELECT coalesce(sum(amount), 0) INTO balance FROM postings WHERE account = NEW.account AND currency = NEW.currency;
  IF balance > 0 THEN
    RAISE EXCEPTION 'account % would go below zero in %: balance %', NEW.account, NEW.currency, -balance
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER postings_floor_zero AFTER INSERT ON postings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.account LIKE 'customer:%:prepaid')
  EXECUTE FUNCTION tollgate_check_floor();

SELECT tollgate_make_append_only('accounts');
SELECT tollgate_make_append_only('transactions');
SELECT tollgate_make_append_only('postings');

-- Tenants and subscriptions change (status, period); every change is also written to an append-only audit table.
CREATE TABLE tenants (
  id                text PRIMARY KEY,
  name              text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  snapshot_version  bigint NOT NULL DEFAULT 0
);

CREATE TABLE subscriptions (
  tenant_id       text PRIMARY KEY REFERENCES tenants (id),
  plan_id         text NOT NULL,
  status          text NOT NULL CHECK (status IN ('trialing', 'active', 'past_due', 'suspended', 'canceled')),
  billing_anchor  timestamptz NOT NULL,
  started_at      timestamptz NOT NULL,
  trial_ends_at   timestamptz,
  canceled_at     timestamptz,
  updated_at      timestamptz NOT NULL
);

CREATE TABLE subscription_events (
  id            bigserial PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES tenants (id),
  plan_id       text NOT NULL,
  status        text NOT NULL,
  effective_at  timestamptz NOT NULL,
  reason        text NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscription_events_tenant ON subscription_events (tenant_id, effective_at);
SELECT tollgate_make_append_only('subscription_events');

-- Invoices are immutable documents; voiding one writes a credit note.
CREATE TABLE invoices (
  id              uuid PRIMARY KEY,
  tenant_id       text NOT NULL REFERENCES tenants (id),
  number          integer NOT NULL,
  period_start    timestamptz NOT NULL,
  period_end      timestamptz NOT NULL,
  currency        text NOT NULL,
  total           numeric NOT NULL,
  credit_applied  numeric NOT NULL,
  amount_due      numeric NOT NULL,
  lines           jsonb NOT NULL,
  transaction_id  uuid NOT NULL REFERENCES transactions (id),
  finalized_at    timestamptz NOT NULL,
  UNIQUE (tenant_id, number),
  UNIQUE (tenant_id, period_start)
);

-- Which ledger transactions an invoice billed; a transaction is billed at most once.
CREATE TABLE invoice_items (
  invoice_id      uuid NOT NULL REFERENCES invoices (id),
  transaction_id  uuid NOT NULL UNIQUE REFERENCES transactions (id)
);

CREATE TABLE credit_notes (
  id              uuid PRIMARY KEY,
  invoice_id      uuid NOT NULL UNIQUE REFERENCES invoices (id),
  tenant_id       text NOT NULL,
  number          integer NOT NULL,
  reason          text NOT NULL,
  transaction_id  uuid NOT NULL REFERENCES transactions (id),
  created_at      timestamptz NOT NULL,
  UNIQUE (tenant_id, number)
);

SELECT tollgate_make_append_only('invoices');
SELECT tollgate_make_append_only('invoice_items');
SELECT tollgate_make_append_only('credit_notes');

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{{service_role}}') THEN
    CREATE ROLE {{service_role}} NOLOGIN;
  END IF;
END $$;

GRANT {{service_role}} TO CURRENT_USER;
GRANT SELECT, INSERT ON accounts, transactions, postings, subscription_events, invoices, invoice_items, credit_notes TO {{service_role}};
GRANT SELECT, INSERT, UPDATE ON tenants, subscriptions TO {{service_role}};
GRANT USAGE ON SEQUENCE subscription_events_id_seq TO {{service_role}};
