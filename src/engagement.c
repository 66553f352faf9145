/*
 * engagement.c — engagement_state and the decayed engagement and surge
 * z-scores read from it (see engagement.h).
 */
#include "engagement.h"

#include "money.h"

#include <math.h>
#include <stdlib.h>

static const char *const engagement_cols[] = {"day", "weight"};

/* Days are dates PostgreSQL has, weights are not negative. */
static abm_status
engagement_check(const abm_state *s, abm_error *err)
{
	for (uint32_t r = 0; r < s->nrows; r++)
	{
		int64_t		day = s->rows[(size_t) r * abm_state_row_cells(s)];
		abm_money	w;

		if (day < ABM_DAY_MIN || day > ABM_DAY_MAX)
			return abm_fail(err, ABM_ERR_RANGE, "day %lld is outside the dates of PostgreSQL.", (long long) day);
		abm_state_row_money(s, r, ENGAGEMENT_WEIGHT, &w);
		if (abm_money_sign(&w) < 0)
			return abm_fail(err, ABM_ERR_RANGE, "the weight of day %lld is negative.", (long long) day);
	}
	return ABM_OK;
}

const abm_state_schema abm_engagement_schema = {
	.type_name = "engagement_state",
	.kind = 14,
	.nscalars = 0,
	.ncols = ENGAGEMENT_NCOLS,
	.col_names = engagement_cols,
	.nmoneycols = 1,
	.check = engagement_check,
};

double
abm_engagement_row_weight(const abm_state *s, uint32_t r)
{
	abm_money	w;
	char		buf[ABM_MONEY_MAX_WORDS * 20 + 1100];

	/* the exact decimal, read back by strtod: correctly rounded at any scale */
	abm_state_row_money(s, r, ENGAGEMENT_WEIGHT, &w);
	abm_money_to_text(&w, buf, sizeof(buf));
	return strtod(buf, NULL);
}

static int64_t
row_day(const abm_state *s, uint32_t r)
{
	return s->rows[(size_t) r * abm_state_row_cells(s)];
}

double
abm_engagement_decay(int64_t age_days, double half_life_days)
{
	return pow(2.0, -(double) age_days / half_life_days);
}

double
abm_engagement_at(const abm_state *s, int64_t as_of, double half_life_days)
{
	double		sum = 0.0;

	for (uint32_t r = 0; r < s->nrows && row_day(s, r) <= as_of; r++)
		sum += abm_engagement_row_weight(s, r) * abm_engagement_decay(as_of - row_day(s, r), half_life_days);
	return sum;
}

double
abm_engagement_zscore(const abm_state *s, int64_t as_of, int baseline_weeks)
{
	/* week 0 is the 7 days ending on as_of, week k the 7 days before week k - 1 */
	double		week[ABM_MAX_BASELINE_WEEKS + 1] = {0};
	double		mean = 0.0,
				ss = 0.0,
				sd,
				z;

	for (uint32_t r = 0; r < s->nrows; r++)
	{
		int64_t		back = as_of - row_day(s, r);

		if (back >= 0 && back / 7 <= baseline_weeks)
			week[back / 7] += abm_engagement_row_weight(s, r);
	}
	for (int k = 1; k <= baseline_weeks; k++)
		mean += week[k];
	mean /= baseline_weeks;
	for (int k = 1; k <= baseline_weeks; k++)
		ss += (week[k] - mean) * (week[k] - mean);
	sd = sqrt(ss / (baseline_weeks - 1));
	/*
	 * Weekly sums of decimal weights carry rounding: a baseline that varies
	 * by less than that does not vary, and a week that differs from it by
	 * less than that equals it.
	 */
	{
		double		noise = 1e-9 * (fabs(mean) + fabs(week[0]));

		if (sd > noise)
			z = (week[0] - mean) / sd;
		else if (fabs(week[0] - mean) <= noise)
			z = NAN;
		else
			z = week[0] > mean ? INFINITY : -INFINITY;
	}
	return z;
}
