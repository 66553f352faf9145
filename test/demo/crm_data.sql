--
-- crm_data.sql: sample CRM data of a B2B SaaS company, for the abm demo.
--
-- About 2,000 accounts, activity from 2024-01-01 to 2026-06-30 (30 months).
-- About 30% of the accounts were already customers when this CRM went live on
-- 2024-01-01; their earlier funnel history was imported from the old CRM, so
-- their stage_history starts before 2024.  Everything else (subscriptions
-- aside, which may have started before) falls in the 30 months.
--
-- Deterministic: every "random" value is derived from a hash of ids and a
-- salt (pg_temp.u below), so the data does not depend on the query plan, the
-- number of parallel workers or the order rows are produced in.  setseed() is
-- called anyway, and random() is not used.
--
-- The story in the data:
--   * accounts enter the target account list, some become aware, engaged,
--     get an opportunity; some of those are won and become customers;
--   * customers go active, renew every year, some expand and advocate, some
--     churn at a renewal (more often small ones, and unhappy ones);
--   * NPS varies by industry, by account health (unhappy accounts churn) and
--     drifts over time: a product launch lifts it in Q3 2024, an outage and a
--     price change pull it down in Q2 2025, a recovery follows in Q4 2025;
--     the other quarter-to-quarter moves are small (noise).
--

SET client_encoding = 'UTF8';
SET client_min_messages = warning;
SELECT setseed(0.42);

-- A uniform number in [0, 1) from a key: deterministic regardless of plan.
CREATE FUNCTION pg_temp.u(k text) RETURNS float8 LANGUAGE sql IMMUTABLE STRICT AS
$$ SELECT (hashtext(k)::bigint + 2147483648) / 4294967296.0 $$;
-- An approximately standard normal number from a key (Irwin-Hall of 4).
CREATE FUNCTION pg_temp.n(k text) RETURNS float8 LANGUAGE sql IMMUTABLE STRICT AS
$$ SELECT (pg_temp.u(k || '#1') + pg_temp.u(k || '#2') + pg_temp.u(k || '#3') + pg_temp.u(k || '#4') - 2) * sqrt(3) $$;
-- An integer in [lo, hi] from a key.
CREATE FUNCTION pg_temp.r(k text, lo int, hi int) RETURNS int LANGUAGE sql IMMUTABLE STRICT AS
$$ SELECT lo + floor(pg_temp.u(k) * (hi - lo + 1))::int $$;

-- ---------------------------------------------------------------------------
-- accounts
-- ---------------------------------------------------------------------------

CREATE TABLE accounts (
	account_id  integer PRIMARY KEY,
	name        text NOT NULL,
	industry    text NOT NULL,
	size_band   text NOT NULL CHECK (size_band IN ('SMB', 'Mid-Market', 'Enterprise')),
	region      text NOT NULL,
	owner       text NOT NULL,           -- account executive
	is_target   boolean NOT NULL,        -- on the target account list (TAL)
	clv         numeric(12,2),           -- customer lifetime value, from the finance system
	stage       lifecycle_stage          -- current lifecycle stage (latest stage_history entry)
);

INSERT INTO accounts (account_id, name, industry, size_band, region, owner, is_target, clv)
SELECT id,
       (ARRAY['Blue','North','Silver','Bright','Iron','Summit','Cedar','Harbor','Atlas','Nova',
              'Apex','Granite','Lumen','Vertex','Orchid','Pioneer','Quartz','Red Rock','Sierra','Tidal'])[pg_temp.r(id || 'n1', 1, 20)]
       || ' ' ||
       (ARRAY['Analytics','Logistics','Health','Foods','Capital','Labs','Systems','Energy','Media','Works',
              'Robotics','Partners','Pharma','Freight','Learning','Retail','Networks','Motors','Finance','Studios'])[pg_temp.r(id || 'n2', 1, 20)]
       || ' ' ||
       (ARRAY['Inc.','LLC','Ltd.','GmbH','Group','Co.','S.A.','Corp.'])[pg_temp.r(id || 'n3', 1, 8)],
       industry, size_band, region,
       CASE region
         WHEN 'North America' THEN (ARRAY['Dana Whitfield','Marcus Lee','Priya Raman','Tom Becker'])[pg_temp.r(id || 'o', 1, 4)]
         WHEN 'EMEA'          THEN (ARRAY['Sophie Martin','Jonas Weber','Aisha Okafor'])[pg_temp.r(id || 'o', 1, 3)]
         WHEN 'APAC'          THEN (ARRAY['Chen Wei','Haruka Sato'])[pg_temp.r(id || 'o', 1, 2)]
         ELSE                      'Lucia Fernandez'
       END,
       pg_temp.u(id || 'tal') < CASE size_band WHEN 'Enterprise' THEN 0.70 WHEN 'Mid-Market' THEN 0.40 ELSE 0.10 END,
       NULL
FROM (SELECT id,
             (ARRAY['Software','Software','Financial Services','Healthcare','Manufacturing','Retail',
                    'Education','Logistics','Media','Energy'])[pg_temp.r(id || 'ind', 1, 10)] AS industry,
             CASE WHEN pg_temp.u(id || 'size') < 0.55 THEN 'SMB'
                  WHEN pg_temp.u(id || 'size') < 0.85 THEN 'Mid-Market'
                  ELSE 'Enterprise' END AS size_band,
             CASE WHEN pg_temp.u(id || 'reg') < 0.45 THEN 'North America'
                  WHEN pg_temp.u(id || 'reg') < 0.75 THEN 'EMEA'
                  WHEN pg_temp.u(id || 'reg') < 0.92 THEN 'APAC'
                  ELSE 'LATAM' END AS region
      FROM generate_series(1, 2000) id) a;

-- ---------------------------------------------------------------------------
-- journey: each account's walk through the lifecycle (a scratch table)
-- ---------------------------------------------------------------------------

CREATE TEMP TABLE journey AS
WITH base AS (
	SELECT a.account_id AS id, a.size_band, a.industry, a.is_target,
	       pg_temp.u(a.account_id || 'legacy') < 0.30 AS legacy,
	       pg_temp.n(a.account_id || 'health') AS health,     -- latent account health
	       CASE a.size_band WHEN 'SMB' THEN pg_temp.r(a.account_id || 'mrr', 250, 1500)
	                        WHEN 'Mid-Market' THEN pg_temp.r(a.account_id || 'mrr', 2000, 8000)
	                        ELSE pg_temp.r(a.account_id || 'mrr', 10000, 40000) END AS base_mrr
	FROM accounts a
), funnel AS (
	-- legacy customers: won between mid-2021 and 2023, history walked backwards
	SELECT b.*, w - pg_temp.r(id || 'd4', 30, 150) - pg_temp.r(id || 'd3', 14, 120)
	              - pg_temp.r(id || 'd2', 10, 90) - pg_temp.r(id || 'd1', 7, 60) AS t_target,
	       w - pg_temp.r(id || 'd4', 30, 150) - pg_temp.r(id || 'd3', 14, 120) - pg_temp.r(id || 'd2', 10, 90) AS t_aware,
	       w - pg_temp.r(id || 'd4', 30, 150) - pg_temp.r(id || 'd3', 14, 120) AS t_engaged,
	       w - pg_temp.r(id || 'd4', 30, 150) AS t_opportunity,
	       w AS t_onboarding
	FROM base b, LATERAL (SELECT date '2021-07-01' + pg_temp.r(id || 'w', 0, 900) AS w) x
	WHERE legacy
	UNION ALL
	-- accounts added to the CRM since go-live walk forwards, and may stop
	SELECT b.*, t0,
	       CASE WHEN reach >= 1 THEN t0 + pg_temp.r(id || 'd1', 7, 60) END,
	       CASE WHEN reach >= 2 THEN t0 + pg_temp.r(id || 'd1', 7, 60) + pg_temp.r(id || 'd2', 10, 90) END,
	       CASE WHEN reach >= 3 THEN t0 + pg_temp.r(id || 'd1', 7, 60) + pg_temp.r(id || 'd2', 10, 90)
	                                 + pg_temp.r(id || 'd3', 14, 120) END,
	       CASE WHEN reach >= 4 THEN t0 + pg_temp.r(id || 'd1', 7, 60) + pg_temp.r(id || 'd2', 10, 90)
	                                 + pg_temp.r(id || 'd3', 14, 120) + pg_temp.r(id || 'd4', 30, 150) END
	FROM base b,
	     LATERAL (SELECT date '2024-01-01' + pg_temp.r(id || 't0', 0, 850) AS t0,
	                     CASE WHEN pg_temp.u(id || 'p1') >= CASE WHEN is_target THEN 0.92 ELSE 0.80 END THEN 0
	                          WHEN pg_temp.u(id || 'p2') >= CASE WHEN is_target THEN 0.75 ELSE 0.60 END THEN 1
	                          WHEN pg_temp.u(id || 'p3') >= 0.60 THEN 2
	                          WHEN pg_temp.u(id || 'p4') >= CASE size_band WHEN 'SMB' THEN 0.50 WHEN 'Mid-Market' THEN 0.42 ELSE 0.35 END
	                                                       + CASE WHEN is_target THEN 0.10 ELSE 0 END THEN 3
	                          ELSE 4 END AS reach) x
	WHERE NOT legacy
), customer AS (
	SELECT f.*,
	       CASE WHEN t_onboarding IS NOT NULL THEN t_onboarding + pg_temp.r(id || 'd5', 30, 75) END AS t_active,
	       CASE WHEN t_onboarding IS NOT NULL THEN t_onboarding + 305 END AS t_renewing,
	       -- churn at a contract anniversary on or after go-live, more often for small and unhappy accounts
	       CASE WHEN t_onboarding IS NOT NULL
	             AND pg_temp.u(id || 'churn') < CASE size_band WHEN 'SMB' THEN 0.42 WHEN 'Mid-Market' THEN 0.26 ELSE 0.12 END - 0.12 * health
	            THEN t_onboarding + 365 * (greatest(1, ceil((date '2024-01-01' - t_onboarding) / 365.0))::int
	                                       + pg_temp.r(id || 'churnk', 0, 2)) END AS churn_on
	FROM funnel f
), expansion AS (
	SELECT c.*,
	       CASE WHEN t_onboarding IS NOT NULL AND pg_temp.u(id || 'exp') < 0.35 + 0.10 * health
	            THEN t_renewing + pg_temp.r(id || 'd7', 30, 300) END AS t_expanding
	FROM customer c
)
SELECT e.*,
       CASE WHEN t_expanding IS NOT NULL AND pg_temp.u(id || 'adv') < 0.35 + 0.10 * health
            THEN t_expanding + pg_temp.r(id || 'd8', 60, 240) END AS t_advocate
FROM expansion e;

-- a stage is reached if it happened before the data ends and before churn
UPDATE journey SET
	t_active    = CASE WHEN t_active    < least(churn_on, date '2026-07-01') THEN t_active END,
	t_renewing  = CASE WHEN t_renewing  < least(churn_on, date '2026-07-01') THEN t_renewing END,
	t_expanding = CASE WHEN t_expanding < least(churn_on, date '2026-07-01') THEN t_expanding END,
	t_advocate  = CASE WHEN t_advocate  < least(churn_on, date '2026-07-01') THEN t_advocate END;
UPDATE journey SET t_aware       = NULL WHERE t_aware       > date '2026-06-30';
UPDATE journey SET t_engaged     = NULL WHERE t_engaged     > date '2026-06-30';
UPDATE journey SET t_opportunity = NULL WHERE t_opportunity > date '2026-06-30';
UPDATE journey SET t_onboarding  = NULL, t_active = NULL, t_renewing = NULL, t_expanding = NULL,
                   t_advocate = NULL, churn_on = NULL
WHERE t_onboarding > date '2026-06-30';
-- churn after the data ends has not happened yet
UPDATE journey SET churn_on = NULL WHERE churn_on > date '2026-06-30';

-- ---------------------------------------------------------------------------
-- stage_history
-- ---------------------------------------------------------------------------

CREATE TABLE stage_history (
	account_id  integer NOT NULL REFERENCES accounts,
	stage       lifecycle_stage NOT NULL,
	entered_at  date NOT NULL,
	PRIMARY KEY (account_id, stage)
);

-- Most entries use the canonical labels.  Two source systems write their own
-- names, which lifecycle_stage accepts as aliases:
--   * the old CRM the pre-2024 history was imported from ('TAL', 'Discovery',
--     'Closed Won', 'Renewal', 'Cross-sell', 'Churn', ...), for some accounts;
--   * the APAC subsidiary's CRM, in Chinese ('目标', '商机', '成交', '流失', ...).
INSERT INTO stage_history (account_id, stage, entered_at)
SELECT j.id,
       (CASE
          WHEN j.id % 20 = 0 AND a.region = 'APAC' THEN
            (ARRAY['目标','发现','参与','商机','成交','活跃','续约','增购','推荐','流失'])[s.ord]
          WHEN j.legacy AND j.id % 9 = 0 AND s.at < date '2024-01-01' THEN
            (ARRAY['TAL','Discovery','Engagement','Conversion','Closed Won','Adoption','Renewal','Cross-sell','Referral','Churn'])[s.ord]
          ELSE s.label
        END)::lifecycle_stage,
       s.at
FROM journey j
JOIN accounts a ON a.account_id = j.id
CROSS JOIN LATERAL unnest(
	ARRAY['target','aware','engaged','opportunity','onboarding','active','renewing','expanding','advocate','churned'],
	ARRAY[j.t_target, j.t_aware, j.t_engaged, j.t_opportunity, j.t_onboarding, j.t_active,
	      j.t_renewing, j.t_expanding, j.t_advocate, j.churn_on]) WITH ORDINALITY AS s(label, at, ord)
WHERE s.at IS NOT NULL;

UPDATE accounts a SET stage = h.stage
FROM (SELECT DISTINCT ON (account_id) account_id, stage
      FROM stage_history ORDER BY account_id, entered_at DESC, stage DESC) h
WHERE h.account_id = a.account_id;

CREATE INDEX accounts_stage_idx ON accounts (stage);

-- CLV as the finance system estimates it (margin 80%, expected lifetime by
-- size band); prospects get the estimate of their potential contract.
UPDATE accounts a SET clv = round((j.base_mrr * 12 * 0.80
                                   * CASE a.size_band WHEN 'SMB' THEN 2.5 WHEN 'Mid-Market' THEN 4 ELSE 6 END
                                   * (1 + 0.15 * j.health))::numeric, 2)
FROM journey j WHERE j.id = a.account_id;

-- ---------------------------------------------------------------------------
-- subscriptions and monthly MRR snapshots
-- ---------------------------------------------------------------------------

CREATE TABLE subscriptions (
	subscription_id  integer PRIMARY KEY,
	account_id       integer NOT NULL REFERENCES accounts,
	started_on       date NOT NULL,
	ended_on         date,                 -- NULL: still active
	mrr              numeric(12,2) NOT NULL CHECK (mrr > 0)
);

-- the platform subscription, and an add-on when the account expands; a
-- third of the add-ons are dropped again (a downgrade), and a fifth of the
-- accounts that churned come back later at a lower price (a win-back)
INSERT INTO subscriptions
SELECT id * 10 + 1, id, t_onboarding, churn_on, base_mrr
FROM journey WHERE t_onboarding IS NOT NULL
UNION ALL
SELECT id * 10 + 2, id, t_expanding,
       CASE WHEN pg_temp.u(id || 'drop') < 0.33
             AND t_expanding + pg_temp.r(id || 'd9', 90, 400) < least(churn_on, date '2026-07-01')
            THEN t_expanding + pg_temp.r(id || 'd9', 90, 400) ELSE churn_on END,
       round(base_mrr * (0.20 + 0.40 * pg_temp.u(id || 'addon'))::numeric, 2)
FROM journey WHERE t_expanding IS NOT NULL
UNION ALL
SELECT id * 10 + 3, id, churn_on + pg_temp.r(id || 'back', 60, 300), NULL,
       round(base_mrr * (0.60 + 0.40 * pg_temp.u(id || 'backp'))::numeric, 2)
FROM journey
WHERE churn_on IS NOT NULL AND pg_temp.u(id || 'winback') < 0.20
  AND churn_on + pg_temp.r(id || 'back', 60, 300) <= date '2026-06-30';

CREATE TABLE mrr_snapshots (
	account_id  integer NOT NULL REFERENCES accounts,
	month       date NOT NULL,             -- first day of the month
	mrr         numeric(12,2) NOT NULL,
	PRIMARY KEY (account_id, month)
);

-- paying in a month when the month's first day falls in [started_on, ended_on)
INSERT INTO mrr_snapshots
SELECT c.account_id, m.month::date,
       coalesce(sum(s.mrr) FILTER (WHERE s.started_on <= m.month AND (s.ended_on IS NULL OR s.ended_on > m.month)), 0)
FROM (SELECT DISTINCT account_id FROM subscriptions) c
CROSS JOIN generate_series(date '2024-01-01', date '2026-06-01', interval '1 month') m(month)
JOIN subscriptions s ON s.account_id = c.account_id
GROUP BY c.account_id, m.month;

-- ---------------------------------------------------------------------------
-- surveys: NPS (relationship and transactional) and support CSAT
-- ---------------------------------------------------------------------------

-- how satisfaction drifts, by quarter (launch, outage and price change, recovery)
CREATE TEMP TABLE drift (quarter date PRIMARY KEY, nps_shift float8, csat_shift float8);
INSERT INTO drift VALUES
	('2024-01-01', 0.00, 0.00), ('2024-04-01', 0.05, 0.00), ('2024-07-01', 0.45, 0.05),
	('2024-10-01', 0.50, 0.10), ('2025-01-01', 0.48, 0.10), ('2025-04-01', -0.05, -0.35),
	('2025-07-01', 0.02, -0.10), ('2025-10-01', 0.40, 0.10), ('2026-01-01', 0.45, 0.15),
	('2026-04-01', 0.52, 0.15);

CREATE TEMP TABLE industry_effect (industry text PRIMARY KEY, nps float8, trend float8);
INSERT INTO industry_effect VALUES
	('Software', 0.45, 0.0), ('Financial Services', 0.10, 0.0), ('Healthcare', -0.55, 0.25),
	('Manufacturing', -0.10, 0.0), ('Retail', -0.65, 0.0), ('Education', 0.30, -0.10),
	('Logistics', -0.25, 0.0), ('Media', 0.00, 0.0), ('Energy', 0.20, 0.0);

-- the customer-months survey answers come from
CREATE TEMP TABLE paying_months AS
SELECT m.account_id, m.month, a.size_band, a.industry, j.health, j.churn_on,
       least((m.month + interval '1 month')::date, coalesce(j.churn_on, date '2026-07-01')) - m.month AS days
FROM mrr_snapshots m JOIN accounts a USING (account_id) JOIN journey j ON j.id = m.account_id
WHERE m.mrr > 0;

CREATE TABLE nps_responses (
	response_id  integer PRIMARY KEY,
	account_id   integer NOT NULL REFERENCES accounts,
	contact_id   integer NOT NULL,
	answered_on  date NOT NULL,
	score        integer CHECK (score BETWEEN 0 AND 10)   -- NULL: question skipped
);

INSERT INTO nps_responses
SELECT row_number() OVER (ORDER BY account_id, month, k)::int,
       account_id,
       account_id * 100 + pg_temp.r(key || 'contact', 0, CASE size_band WHEN 'SMB' THEN 3 WHEN 'Mid-Market' THEN 8 ELSE 25 END),
       answered_on,
       CASE WHEN pg_temp.u(key || 'skip') < 0.04 THEN NULL
            WHEN pg_temp.u(key || 'angry') < 0.03 THEN pg_temp.r(key || 'angry', 0, 4)   -- a bad day
            ELSE greatest(0, least(10, round(
                   7.90 + ie.nps + ie.trend * (answered_on - date '2024-01-01') / 365.0
                   + CASE size_band WHEN 'Enterprise' THEN -0.15 WHEN 'Mid-Market' THEN 0.10 ELSE 0 END
                   + 0.70 * health
                   - CASE WHEN churn_on - answered_on < 200 THEN 0.8 ELSE 0 END      -- unhappy before leaving
                   + d.nps_shift
                   + 1.75 * pg_temp.n(key || 'score'))))::int
       END
FROM (SELECT p.*, k, p.account_id || '/' || p.month || '/' || k AS key,
             p.month + pg_temp.r(p.account_id || '/' || p.month || '/' || k || 'day', 0, p.days - 1) AS answered_on
      FROM paying_months p
      CROSS JOIN LATERAL generate_series(1, pg_temp.r(p.account_id || '/' || p.month || 'n', 0,
                                         CASE p.size_band WHEN 'SMB' THEN 2 WHEN 'Mid-Market' THEN 4 ELSE 8 END)) k
      WHERE p.days > 0) x
JOIN industry_effect ie USING (industry)
JOIN drift d ON d.quarter = date_trunc('quarter', x.answered_on)::date;

CREATE TABLE csat_responses (
	ticket_id    integer PRIMARY KEY,
	account_id   integer NOT NULL REFERENCES accounts,
	answered_on  date NOT NULL,
	score        integer NOT NULL CHECK (score BETWEEN 1 AND 5)
);

INSERT INTO csat_responses
SELECT 100000 + row_number() OVER (ORDER BY account_id, month, k)::int,
       account_id, answered_on,
       greatest(1, least(5, round(4.05 + 0.30 * health + d.csat_shift + 0.95 * pg_temp.n(key || 'score'))))::int
FROM (SELECT p.*, k, p.account_id || '/' || p.month || '/' || k || 't' AS key,
             p.month + pg_temp.r(p.account_id || '/' || p.month || '/' || k || 'tday', 0, p.days - 1) AS answered_on
      FROM paying_months p
      CROSS JOIN LATERAL generate_series(1, pg_temp.r(p.account_id || '/' || p.month || 'tn', 0,
                                         CASE p.size_band WHEN 'SMB' THEN 1 WHEN 'Mid-Market' THEN 2 ELSE 5 END)) k
      WHERE p.days > 0) x
JOIN drift d ON d.quarter = date_trunc('quarter', x.answered_on)::date;

-- ---------------------------------------------------------------------------
-- opportunities
-- ---------------------------------------------------------------------------

CREATE TABLE opportunities (
	opportunity_id  integer PRIMARY KEY,
	account_id      integer NOT NULL REFERENCES accounts,
	created_on      date NOT NULL,
	closed_on       date,                  -- NULL while open
	status          text NOT NULL CHECK (status IN ('won', 'lost', 'open')),
	amount          numeric(12,2) NOT NULL,  -- annual contract value
	kind            text NOT NULL CHECK (kind IN ('new', 'expansion')),
	CHECK ((status = 'open') = (closed_on IS NULL))
);

INSERT INTO opportunities
SELECT row_number() OVER (ORDER BY account_id, created_on, kind)::int, *
FROM (
	-- new business: won when the account was onboarded, else lost or still open
	SELECT id AS account_id, t_opportunity AS created_on,
	       coalesce(t_onboarding, CASE WHEN lost_on <= date '2026-06-30' THEN lost_on END) AS closed_on,
	       CASE WHEN t_onboarding IS NOT NULL THEN 'won'
	            WHEN lost_on <= date '2026-06-30' THEN 'lost' ELSE 'open' END AS status,
	       round(base_mrr * 12 * (0.9 + 0.3 * pg_temp.u(id || 'disc'))::numeric, -2)::numeric(12,2) AS amount,
	       'new' AS kind
	FROM (SELECT j.*, t_opportunity + pg_temp.r(id || 'lost', 30, 150) AS lost_on FROM journey j) j
	WHERE t_opportunity IS NOT NULL
	UNION ALL
	-- expansion won
	SELECT j.id, t_expanding - pg_temp.r(id || 'xo', 30, 90), t_expanding, 'won',
	       s.mrr * 12, 'expansion'
	FROM journey j JOIN subscriptions s ON s.subscription_id = j.id * 10 + 2
	UNION ALL
	-- expansion pitched to customers who did not expand: lost or open
	SELECT id, o, CASE WHEN o + 45 <= date '2026-06-30' AND pg_temp.u(id || 'xl') < 0.8 THEN o + 45 END,
	       CASE WHEN o + 45 <= date '2026-06-30' AND pg_temp.u(id || 'xl') < 0.8 THEN 'lost' ELSE 'open' END,
	       round(base_mrr * 12 * 0.3::numeric, -2), 'expansion'
	FROM (SELECT j.*, greatest(t_onboarding, date '2024-01-01') + pg_temp.r(id || 'xd', 120, 400) AS o FROM journey j) j
	WHERE t_onboarding IS NOT NULL AND t_expanding IS NULL AND pg_temp.u(id || 'xp') < 0.30
	  AND o <= least(coalesce(churn_on, date '2026-06-30'), date '2026-06-30')
) o;

-- ---------------------------------------------------------------------------
-- engagement and product usage
-- ---------------------------------------------------------------------------

CREATE TABLE engagement_events (
	event_id     integer PRIMARY KEY,
	account_id   integer NOT NULL REFERENCES accounts,
	occurred_on  date NOT NULL,
	kind         text NOT NULL CHECK (kind IN ('web_visit', 'email_click', 'webinar', 'meeting'))
);

INSERT INTO engagement_events
SELECT row_number() OVER (ORDER BY account_id, occurred_on, k)::int, account_id, occurred_on,
       CASE WHEN pg_temp.u(account_id || '/' || k || 'kind') < 0.50 THEN 'web_visit'
            WHEN pg_temp.u(account_id || '/' || k || 'kind') < 0.80 THEN 'email_click'
            WHEN pg_temp.u(account_id || '/' || k || 'kind') < 0.92 THEN 'webinar'
            ELSE 'meeting' END
FROM (SELECT j.id AS account_id, k,
             s.first_day + pg_temp.r(j.id || '/' || k || 'on', 0, s.last_day - s.first_day) AS occurred_on
      FROM journey j
      CROSS JOIN LATERAL (SELECT greatest(j.t_target, date '2024-01-01') AS first_day,
                                 least(coalesce(j.churn_on, date '2026-06-30'), date '2026-06-30') AS last_day) s
      CROSS JOIN LATERAL generate_series(1, 2 + 3 * num_nonnulls(j.t_aware, j.t_engaged, j.t_opportunity, j.t_onboarding,
                                                                 j.t_active, j.t_renewing, j.t_expanding)
                                            + pg_temp.r(j.id || 'ev', 0, 8)) k
      WHERE s.last_day >= s.first_day) e;

CREATE TABLE product_usage (
	account_id      integer NOT NULL REFERENCES accounts,
	month           date NOT NULL,
	active_seats    integer NOT NULL,
	licensed_seats  integer NOT NULL,
	PRIMARY KEY (account_id, month),
	CHECK (active_seats BETWEEN 0 AND licensed_seats)
);

INSERT INTO product_usage
SELECT p.account_id, p.month,
       round(seats * greatest(0.05, least(1.0, 0.62 + 0.15 * p.health
                                            + 0.08 * pg_temp.n(p.account_id || '/' || p.month || 'use')
                                            - CASE WHEN p.churn_on - p.month < 180 THEN 0.25 ELSE 0 END)))::int,
       seats
FROM (SELECT p.*, (CASE p.size_band WHEN 'SMB' THEN pg_temp.r(p.account_id || 'seats', 5, 25)
                                    WHEN 'Mid-Market' THEN pg_temp.r(p.account_id || 'seats', 25, 150)
                                    ELSE pg_temp.r(p.account_id || 'seats', 150, 1500) END
                   * CASE WHEN j.t_expanding <= p.month THEN 1.4 ELSE 1 END)::int AS seats
      FROM paying_months p JOIN journey j ON j.id = p.account_id) p;

-- Signals the customer-success team tracks, one row per account and signal as
-- a customer-success tool exports them, for the customers paying at the end of
-- the data: the CSM's relationship rating (0..10), the intent data provider's
-- competitor-research score (0..100) and the account's open support tickets.
-- Unhealthy accounts rate lower, research competitors more and open more
-- tickets; a few values are missing (signal not measured yet).
CREATE TABLE account_signals (
	account_id   integer NOT NULL REFERENCES accounts,
	signal       text NOT NULL CHECK (signal IN ('relationship', 'competitor_intent', 'support_load')),
	value        double precision NOT NULL,
	measured_on  date NOT NULL,
	PRIMARY KEY (account_id, signal)
);

INSERT INTO account_signals
SELECT c.id, g.signal,
       CASE g.signal
         WHEN 'relationship' THEN round(greatest(0, least(10, 6.8 + 1.6 * c.health + 1.2 * pg_temp.n(c.id || 'rel')))::numeric, 1)::float8
         WHEN 'competitor_intent' THEN round(greatest(0, least(100, 22 - 14 * c.health + 16 * pg_temp.n(c.id || 'ci'))))
         ELSE greatest(0, round(2.5 - 1.5 * c.health + 2 * pg_temp.n(c.id || 'tix')))
       END,
       date '2026-06-30' - pg_temp.r(c.id || g.signal || 'on', 0, 45)
FROM journey c
CROSS JOIN (VALUES ('relationship'), ('competitor_intent'), ('support_load')) g(signal)
WHERE c.t_onboarding IS NOT NULL AND c.churn_on IS NULL
  AND pg_temp.u(c.id || g.signal || 'missing') >= 0.06;

-- Marketing campaigns and the touches they made.  Every engagement event
-- above is a touch of one campaign of its channel running that quarter;
-- the first touch of an account that became engaged is its lead creation
-- (the W-shaped model's milestone).  channel_stats has each campaign's
-- delivery counts and cost.
CREATE TABLE campaigns (
	campaign_id  integer PRIMARY KEY,
	name         text NOT NULL,
	channel      text NOT NULL CHECK (channel IN ('email', 'paid_search', 'paid_social', 'display', 'webinar', 'events')),
	quarter      date NOT NULL,              -- first day of the quarter it ran
	cost         numeric(12,2) NOT NULL
);

INSERT INTO campaigns
SELECT row_number() OVER (ORDER BY q, c.channel)::int,
       initcap(replace(c.channel, '_', ' ')) || ' ' || to_char(q, 'YYYY "Q"Q') || ': ' ||
       (ARRAY['Pipeline Accelerator', 'Data Cloud Launch', 'Customer Stories', 'Summer Summit', 'ROI Calculator',
              'Security Week', 'Analyst Report', 'Year in Review'])[1 + (extract(quarter FROM q)::int + length(c.channel)) % 8],
       c.channel, q::date,
       round((c.base * (0.8 + 0.4 * pg_temp.u(q::text || c.channel)))::numeric, 2)
FROM generate_series(date '2024-01-01', date '2026-04-01', interval '3 months') q
CROSS JOIN (VALUES ('email', 8000), ('paid_search', 42000), ('paid_social', 30000), ('display', 18000),
                   ('webinar', 12000), ('events', 65000)) c(channel, base);

CREATE TABLE touches (
	touch_id          integer PRIMARY KEY,
	account_id        integer NOT NULL REFERENCES accounts,
	campaign_id       integer NOT NULL REFERENCES campaigns,
	touched_at        timestamptz NOT NULL,
	weight            numeric(4,1) NOT NULL,   -- how much the touch says about interest
	lead_creation     boolean NOT NULL
);

INSERT INTO touches
SELECT e.event_id, e.account_id, c.campaign_id,
       (e.occurred_on + make_interval(hours => pg_temp.r(e.event_id || 'h', 8, 19))) AT TIME ZONE 'UTC',
       CASE e.kind WHEN 'web_visit' THEN 1 WHEN 'email_click' THEN 2 WHEN 'webinar' THEN 5 ELSE 10 END,
       e.event_id = min(e.event_id) OVER (PARTITION BY e.account_id) AND j.t_engaged IS NOT NULL
FROM engagement_events e
JOIN journey j ON j.id = e.account_id
JOIN campaigns c ON c.quarter = date_trunc('quarter', e.occurred_on)
                AND c.channel = CASE e.kind
                                  WHEN 'email_click' THEN 'email'
                                  WHEN 'webinar' THEN 'webinar'
                                  WHEN 'meeting' THEN 'events'
                                  ELSE (ARRAY['paid_search', 'paid_search', 'paid_social', 'display'])[pg_temp.r(e.event_id || 'ch', 1, 4)]
                                END;

CREATE TABLE channel_stats (
	campaign_id   integer PRIMARY KEY REFERENCES campaigns,
	impressions   bigint NOT NULL,   -- ads shown (paid and display); 0 for email, webinars and events
	clicks        bigint NOT NULL,   -- ad clicks
	view_throughs bigint NOT NULL,   -- visits after an ad was seen, not clicked
	emails_sent   bigint NOT NULL,
	opens         bigint NOT NULL,
	email_clicks  bigint NOT NULL,
	unsubscribes  bigint NOT NULL,
	leads         bigint NOT NULL
);

INSERT INTO channel_stats
SELECT c.campaign_id, imp, clk, vt, sent, opn, eclk, unsub,
       greatest(1, round((clk + eclk + coalesce(t.n, 0)) * 0.06))
FROM campaigns c
LEFT JOIN (SELECT campaign_id, count(*) AS n FROM touches GROUP BY 1) t USING (campaign_id)
CROSS JOIN LATERAL (
	SELECT CASE WHEN c.channel IN ('paid_search', 'paid_social', 'display')
	            THEN round(c.cost / (CASE c.channel WHEN 'paid_search' THEN 0.9 WHEN 'paid_social' THEN 0.35 ELSE 0.12 END) * 10)::bigint
	            ELSE 0 END AS imp) i
CROSS JOIN LATERAL (
	SELECT round(i.imp * CASE c.channel WHEN 'paid_search' THEN 0.031 WHEN 'paid_social' THEN 0.009 WHEN 'display' THEN 0.0012 ELSE 0 END
	             * (0.8 + 0.4 * pg_temp.u(c.campaign_id || 'ctr')))::bigint AS clk,
	       round(i.imp * CASE c.channel WHEN 'display' THEN 0.0009 WHEN 'paid_social' THEN 0.002 ELSE 0 END)::bigint AS vt,
	       CASE WHEN c.channel = 'email' THEN 20000 + pg_temp.r(c.campaign_id || 'sent', 0, 15000) ELSE 0 END AS sent) k
CROSS JOIN LATERAL (
	SELECT round(k.sent * (0.18 + 0.10 * pg_temp.u(c.campaign_id || 'open')))::bigint AS opn) o
CROSS JOIN LATERAL (
	SELECT round(o.opn * (0.08 + 0.06 * pg_temp.u(c.campaign_id || 'eclk')))::bigint AS eclk,
	       round(k.sent * (0.001 + 0.003 * pg_temp.u(c.campaign_id || 'unsub')))::bigint AS unsub) e;

ANALYZE;
