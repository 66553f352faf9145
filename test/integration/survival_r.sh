#!/usr/bin/env bash
# survival_curve, median_lifetime(_interval) and restricted_mean_lifetime
# against R's survival::survfit, to 1e-9, at the SQL level: data sets made
# in SQL (ties, heavy censoring, time 0, everyone churning at the last time,
# all censored, fractional times, 20,000 lifetimes), exported, fitted by R
# for each band type and two confidences, and every row compared.
# Runs inside test/run (PGHOST/PGPORT/PGUSER point at the throwaway cluster).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

command -v Rscript >/dev/null || { echo "survival_r: Rscript not found (apt-get install r-base-core r-cran-survival)" >&2; exit 1; }
db=abm_survival_r
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
"$ABM_PGBIN/dropdb" --if-exists "$db" 2>/dev/null
"$ABM_PGBIN/createdb" "$db"

abm_psql -d $db <<'SQL'
CREATE EXTENSION abm;
CREATE TABLE lifetimes (dataset text, time float8, churned boolean);
INSERT INTO lifetimes
SELECT 'ties', (abs(hashint4(g)) % 30)::float8, abs(hashint4(g * 7)) % 3 > 0 FROM generate_series(1, 400) g;
INSERT INTO lifetimes
SELECT 'heavy_censoring', (abs(hashint4(g)) % 200)::float8, abs(hashint4(g * 7)) % 10 = 0 FROM generate_series(1, 500) g;
INSERT INTO lifetimes
SELECT 'time_zero', CASE WHEN g % 5 = 0 THEN 0 ELSE abs(hashint4(g)) % 50 END, g % 5 <> 0 AND g % 3 = 0 FROM generate_series(1, 300) g;
INSERT INTO lifetimes
SELECT 'last_all_churn', least(abs(hashint4(g)) % 40, 35), abs(hashint4(g)) % 40 >= 35 OR g % 2 = 0 FROM generate_series(1, 300) g;
INSERT INTO lifetimes
SELECT 'all_censored', (abs(hashint4(g)) % 20)::float8, false FROM generate_series(1, 50) g;
INSERT INTO lifetimes
SELECT 'fractional', (abs(hashint4(g)) % 100000) / 64.0, g % 4 <> 0 FROM generate_series(1, 1000) g;  -- exact in binary: R's reader rounds some decimals differently
INSERT INTO lifetimes
SELECT 'large', (abs(hashint4(g)) % 3650)::float8, abs(hashint4(g * 13)) % 10 < 3 FROM generate_series(1, 20000) g;
INSERT INTO lifetimes VALUES ('one', 5, true);
SQL
abm_psql -d $db -c "\\copy (SELECT dataset, time, churned::int FROM lifetimes ORDER BY 1, 2) TO '$work/lifetimes.csv' CSV HEADER"

cat >"$work/fit.R" <<'R'
suppressMessages(library(survival))
d <- read.csv(file.path(Sys.getenv("WORK"), "lifetimes.csv"))
curves <- list(); medians <- list()
for (ds in unique(d$dataset)) {
  x <- d[d$dataset == ds, ]
  for (ct in c("log", "log-log", "plain")) for (cl in c(0.95, 0.9)) {
    f <- survfit(Surv(time, churned) ~ 1, data = x, conf.type = ct, conf.int = cl)
    curves[[length(curves) + 1]] <- data.frame(dataset = ds, conf_type = ct, confidence = cl,
      time = f$time, n_risk = f$n.risk, n_event = f$n.event, n_censor = f$n.censor,
      surv = f$surv, std_err = f$std.err, lower = f$lower, upper = f$upper)
    h <- max(min(x$time), max(x$time) * 0.8)
    t <- summary(f, rmean = h)$table
    medians[[length(medians) + 1]] <- data.frame(dataset = ds, conf_type = ct, confidence = cl,
      median = t[["median"]], lcl = t[[grep("LCL", names(t))]], ucl = t[[grep("UCL", names(t))]],
      horizon = h, rmean = t[["rmean"]])
  }
}
# every number with 17 significant digits, so it reads back as the same double
exact <- function(df) {
  for (col in names(df)) if (is.double(df[[col]]))
    df[[col]] <- ifelse(is.na(df[[col]]), NA, sprintf("%.17g", df[[col]]))
  df
}
write.csv(exact(do.call(rbind, curves)), file.path(Sys.getenv("WORK"), "r_curves.csv"), row.names = FALSE, na = "")
write.csv(exact(do.call(rbind, medians)), file.path(Sys.getenv("WORK"), "r_medians.csv"), row.names = FALSE, na = "")
R
WORK=$work Rscript "$work/fit.R"

abm_psql -d $db <<SQL
CREATE TABLE r_curves (dataset text, conf_type text, confidence float8, time float8, n_risk bigint, n_event bigint,
                       n_censor bigint, surv float8, std_err float8, lower float8, upper float8);
CREATE TABLE r_medians (dataset text, conf_type text, confidence float8, median float8, lcl float8, ucl float8,
                        horizon float8, rmean float8);
\\copy r_curves FROM '$work/r_curves.csv' CSV HEADER
\\copy r_medians FROM '$work/r_medians.csv' CSV HEADER
SQL

# equal within 1e-9 relative (NULL = NA, Inf = Inf)
abm_psql -d $db -At >"$work/result.txt" <<'SQL'
CREATE FUNCTION pg_temp.close(a float8, b float8) RETURNS boolean LANGUAGE sql AS
$$ SELECT (a IS NULL AND b IS NULL) OR (a = b) OR abs(a - b) <= 1e-9 * greatest(1, abs(b)) $$;
CREATE TEMP TABLE states AS SELECT dataset, survival_agg(time, churned) AS st FROM lifetimes GROUP BY dataset;
WITH settings AS (SELECT DISTINCT dataset, conf_type, confidence FROM r_curves),
ours AS (
  SELECT s.dataset, s.conf_type, s.confidence, c.*
  FROM settings s JOIN states USING (dataset)
  CROSS JOIN LATERAL survival_curve(states.st, s.confidence, s.conf_type) c),
cmp AS (
  SELECT r.*, o.time IS NOT NULL AS matched,
         o.at_risk = r.n_risk AND o.events = r.n_event AND o.censored = r.n_censor AS counts_ok,
         pg_temp.close(o.survival, r.surv) AS surv_ok,
         pg_temp.close(o.std_err, CASE WHEN r.std_err IS NULL THEN NULL ELSE r.std_err END) AS se_ok,
         pg_temp.close(o.lower, r.lower) AND pg_temp.close(o.upper, r.upper) AS band_ok
  FROM r_curves r LEFT JOIN ours o USING (dataset, conf_type, confidence, time))
SELECT format('curves: %s rows from R, %s matched, %s differ', count(*), count(*) FILTER (WHERE matched),
              count(*) FILTER (WHERE NOT (matched AND counts_ok AND surv_ok AND se_ok AND band_ok)))
FROM cmp;
SELECT format('curve rows R does not have: %s',
              (SELECT count(*) FROM states s CROSS JOIN LATERAL survival_curve(s.st) c
               WHERE NOT EXISTS (SELECT FROM r_curves r WHERE r.dataset = s.dataset AND r.time = c.time)));
WITH ours AS (
  SELECT m.*, median_lifetime(s.st) AS med, i.lower, i.upper, restricted_mean_lifetime(s.st, m.horizon) AS rm
  FROM r_medians m JOIN states s USING (dataset)
  CROSS JOIN LATERAL median_lifetime_interval(s.st, m.confidence, m.conf_type) i)
SELECT format('medians: %s settings, %s differ%s', count(*),
              count(*) FILTER (WHERE NOT (pg_temp.close(med, median) AND pg_temp.close(lower, lcl)
                                          AND pg_temp.close(upper, ucl) AND pg_temp.close(rm, rmean))),
              coalesce(': ' || string_agg(format('%s %s %s: median %s/%s lcl %s/%s ucl %s/%s rmean %s/%s', dataset, conf_type,
                       confidence, med, median, lower, lcl, upper, ucl, rm, rmean), '; ')
                       FILTER (WHERE NOT (pg_temp.close(med, median) AND pg_temp.close(lower, lcl)
                                          AND pg_temp.close(upper, ucl) AND pg_temp.close(rm, rmean))), ''))
FROM ours;
SQL
cat "$work/result.txt"
"$ABM_PGBIN/dropdb" $db
grep -q '^curves: [1-9][0-9]* rows from R, \([0-9]*\) matched, 0 differ$' "$work/result.txt" &&
	grep -q '^curve rows R does not have: 0$' "$work/result.txt" &&
	grep -q '^medians: [1-9][0-9]* settings, 0 differ$' "$work/result.txt" || {
	echo "survival_r: abm and R's survfit disagree" >&2
	exit 1
}
n=$(sed -n 's/^curves: \([0-9]*\) rows from R, \([0-9]*\) matched.*/\1 \2/p' "$work/result.txt")
[ "${n% *}" = "${n#* }" ] || { echo "survival_r: not every row of R's curves has a row of abm's" >&2; exit 1; }
echo "survival_r: survival_curve, median_lifetime_interval and restricted_mean_lifetime equal R's survfit to 1e-9"
