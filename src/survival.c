/*
 * survival.c — Kaplan-Meier curve, band, median and restricted mean.
 *
 * Every formula is survfit's (survival 3.5), so that results agree with R to
 * rounding: the band of survfit_confint, the median and restricted mean of
 * survmean (what print.survfit and summary.survfit show).
 */
#include "survival.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"

static const char *const survival_cols[] = {"time", "events", "censored"};

/* Lifetimes are not negative, and a time holds at least one subject. */
static abm_status
survival_check(const abm_state *s, abm_error *err)
{
	uint32_t	r;

	for (r = 0; r < s->nrows; r++)
	{
		const int64_t *row = s->rows + (size_t) r * SURVIVAL_NCOLS;
		double		t = abm_float_of_key(row[SURVIVAL_TIME]);

		if (t < 0)
			return abm_fail(err, ABM_ERR_RANGE, "time must not be negative, found %g.", t);
		if (row[SURVIVAL_EVENTS] == 0 && row[SURVIVAL_CENSORED] == 0)
			return abm_fail(err, ABM_ERR_SYNTAX, "time %g has no subjects; such a time is not a row.", t);
	}
	return ABM_OK;
}

const abm_state_schema abm_survival_schema = {
	.type_name = "survival_state",
	.kind = 3,
	.nscalars = 0,
	.ncols = SURVIVAL_NCOLS,
	.col_names = survival_cols,
	.key_is_float = 1,
	.check = survival_check,
};

int
abm_km_conf_type_parse(const char *name)
{
	if (strcmp(name, "log") == 0)
		return ABM_KM_LOG;
	if (strcmp(name, "log-log") == 0 || strcmp(name, "loglog") == 0)
		return ABM_KM_LOG_LOG;
	if (strcmp(name, "plain") == 0)
		return ABM_KM_PLAIN;
	return -1;
}

/* The band at S = p with standard error se of log S; z is NaN if unusable. */
static void
km_band(double p, double se, double z, abm_km_conf_type conf_type,
		double *lower, double *upper)
{
	*lower = *upper = NAN;
	/* S = 0 has se = Inf: R gets NA (log, log-log) or NaN (plain, 0 * Inf) */
	if (isnan(z) || p == 0)
		return;
	switch (conf_type)
	{
		case ABM_KM_LOG:
			*lower = exp(log(p) - z * se);
			*upper = fmin(exp(log(p) + z * se), 1);
			break;
		case ABM_KM_LOG_LOG:
			{
				double		w,
							lls;

				/* log(-log 1) is -Inf: R gives NA */
				if (p == 1)
					return;
				w = z * se / log(p);
				lls = log(-log(p));
				*lower = exp(-exp(lls - w));
				*upper = exp(-exp(lls + w));
			}
			break;
		case ABM_KM_PLAIN:
			{
				double		w = se * p * z;

				*lower = fmax(p - w, 0);
				*upper = fmin(p + w, 1);
			}
			break;
	}
}

int
abm_km_curve(const double *time, const int64_t *events, const int64_t *censored,
			 size_t n, double confidence, abm_km_conf_type conf_type,
			 abm_km_row *out)
{
	double		z = abm_confidence_z(confidence);
	double		surv = 1,
				var = 0;
	int64_t		at_risk = 0;
	size_t		i;

	/* at_risk at the first time is everyone */
	for (i = 0; i < n; i++)
	{
		if (!isfinite(time[i]) || (i > 0 && !(time[i] > time[i - 1])) ||
			events[i] < 0 || censored[i] < 0 ||
			__builtin_add_overflow(at_risk, events[i], &at_risk) ||
			__builtin_add_overflow(at_risk, censored[i], &at_risk))
			return -1;
	}

	for (i = 0; i < n; i++)
	{
		abm_km_row *r = &out[i];
		int64_t		d = events[i];

		r->time = time[i];
		r->at_risk = at_risk;
		r->events = d;
		r->censored = censored[i];
		if (d > 0)
		{
			double		nr = (double) at_risk,
						left = (double) (at_risk - d);

			surv *= left / nr;
			/* d = n_i empties the curve: the variance of log S is infinite */
			var += (left == 0) ? INFINITY : (double) d / (nr * left);
		}
		r->survival = surv;
		r->std_err = sqrt(var);
		km_band(surv, r->std_err, z, conf_type, &r->lower, &r->upper);
		at_risk -= d + censored[i];
	}
	return 0;
}

/* Which column of a row km_crossing reads. */
typedef enum km_column
{
	KM_SURVIVAL,
	KM_LOWER,
	KM_UPPER
} km_column;

static double
km_value(const abm_km_row *r, km_column c)
{
	return c == KM_SURVIVAL ? r->survival : (c == KM_LOWER ? r->lower : r->upper);
}

/*
 * survmean's rule for where a curve (S, or a band limit) crosses 0.5.  The
 * tolerance is R's sqrt(machine epsilon): a product such as 0.5 = (3/4)(2/3)
 * may land a rounding error away from 0.5.
 */
static double
km_crossing(const abm_km_row *curve, size_t n, km_column c)
{
	const double tol = sqrt(DBL_EPSILON);
	size_t		i,
				j;

	for (i = 0; i < n; i++)
	{
		double		y = km_value(&curve[i], c);

		if (!(y < 0.5 + tol))	/* also skips NaN */
			continue;
		/* on 0.5 itself: midway to where it next falls, if it does */
		if (fabs(y - 0.5) < tol)
		{
			for (j = i + 1; j < n; j++)
			{
				if (km_value(&curve[j], c) < y)
					return (curve[i].time + curve[j].time) / 2;
			}
		}
		return curve[i].time;
	}
	return NAN;
}

void
abm_km_median(const abm_km_row *curve, size_t n, double *median,
			  double *lower, double *upper)
{
	*median = km_crossing(curve, n, KM_SURVIVAL);
	*lower = km_crossing(curve, n, KM_LOWER);
	*upper = km_crossing(curve, n, KM_UPPER);
}

double
abm_km_survival_at(const abm_km_row *curve, size_t n, double t)
{
	size_t		lo = 0,
				hi = n;

	if (n == 0 || isnan(t))
		return NAN;
	/* rows [0, lo) have time <= t */
	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (curve[mid].time <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? 1.0 : curve[lo - 1].survival;
}

double
abm_km_rmean(const abm_km_row *curve, size_t n, double horizon, double *se)
{
	double		start,
				area,
				tail,
				var = 0;
	size_t		m,
				i;

	if (se != NULL)
		*se = NAN;
	if (n == 0 || !isfinite(horizon))
		return NAN;
	start = fmin(0, curve[0].time);
	if (horizon < start)
		return NAN;

	/* rows [0, m) are at or before the horizon */
	for (m = 0; m < n && curve[m].time <= horizon; m++)
		;
	if (m == 0)
	{
		if (se != NULL)
			*se = 0;
		return (horizon - start) + start;
	}

	/*
	 * Walk back from the horizon: tail is the area after row i, which row i's
	 * hazard increment d / (n (n - d)) weighs in the variance (0 where n = d,
	 * as R has it).
	 */
	tail = (horizon - curve[m - 1].time) * curve[m - 1].survival;
	for (i = m; i-- > 0;)
	{
		const abm_km_row *r = &curve[i];
		int64_t		left = r->at_risk - r->events;

		if (r->events > 0 && left > 0)
			var += tail * tail * ((double) r->events / ((double) r->at_risk * (double) left));
		if (i > 0)
			tail += (r->time - curve[i - 1].time) * curve[i - 1].survival;
	}
	area = tail + (curve[0].time - start);
	if (se != NULL)
		*se = sqrt(var);
	return area + start;
}
