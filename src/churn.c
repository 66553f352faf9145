/*
 * churn.c — customer churn arithmetic (see churn.h).
 */
#include "churn.h"

#include <math.h>
#include <stdio.h>

static const abm_state_field churn_fields[] = {
	{"period_start", ABM_MERGE_SAME, 0},
	{"period_end", ABM_MERGE_SAME, 0},
	{"active", ABM_MERGE_SUM, 1},
	{"churned", ABM_MERGE_SUM, 1},
};

/*
 * The period of both churn states: set on both ends or neither, not empty,
 * and set whenever the state counts anyone (`counted`).
 */
static abm_status
period_check(const abm_state *s, int counted, abm_error *err)
{
	int64_t		lo = s->scalar[CHURN_PERIOD_START],
				hi = s->scalar[CHURN_PERIOD_END];

	if ((lo == ABM_UNSET) != (hi == ABM_UNSET))
		return abm_fail(err, ABM_ERR_SYNTAX, "period_start and period_end are set together.");
	if (lo != ABM_UNSET && lo >= hi)
		return abm_fail(err, ABM_ERR_RANGE, "period_start must be before period_end.");
	if (counted && lo == ABM_UNSET)
		return abm_fail(err, ABM_ERR_SYNTAX, "a state that counts customers has a period.");
	return ABM_OK;
}

/* The period, and churned <= active. */
static abm_status
churn_check(const abm_state *s, abm_error *err)
{
	abm_status	st = period_check(s, s->scalar[CHURN_ACTIVE] > 0, err);

	if (st != ABM_OK)
		return st;
	if (s->scalar[CHURN_CHURNED] > s->scalar[CHURN_ACTIVE])
		return abm_fail(err, ABM_ERR_RANGE, "churned must not exceed active.");
	return ABM_OK;
}

const abm_state_schema abm_churn_schema = {
	.type_name = "churn_state",
	.kind = 4,
	.nscalars = 4,
	.scalars = churn_fields,
	.check = churn_check,
};

static const char *const customer_churn_cols[] = {"customer", "at_start", "at_end"};

/* The period as for churn_state; a state with customers has one. */
static abm_status
customer_churn_check(const abm_state *s, abm_error *err)
{
	return period_check(s, s->nrows > 0, err);
}

const abm_state_schema abm_customer_churn_schema = {
	.type_name = "customer_churn_state",
	.kind = 5,
	.nscalars = 2,
	.scalars = churn_fields,	/* the period fields of churn_state */
	.ncols = CUSTOMER_CHURN_NCOLS,
	.col_names = customer_churn_cols,
	.check = customer_churn_check,
};

static const abm_state_field repeat_fields[] = {
	{"customers", ABM_MERGE_SUM, 1},
	{"repeat_customers", ABM_MERGE_SUM, 1},
};

static abm_status
repeat_check(const abm_state *s, abm_error *err)
{
	if (s->scalar[REPEAT_REPEATERS] > s->scalar[REPEAT_CUSTOMERS])
		return abm_fail(err, ABM_ERR_RANGE, "repeat_customers must not exceed customers.");
	return ABM_OK;
}

const abm_state_schema abm_repeat_purchase_schema = {
	.type_name = "repeat_purchase_state",
	.kind = 6,
	.nscalars = 2,
	.scalars = repeat_fields,
	.check = repeat_check,
};

double
abm_repeat_purchase_rate_of(const abm_state *s)
{
	if (s->scalar[REPEAT_CUSTOMERS] == 0)
		return NAN;
	return (double) s->scalar[REPEAT_REPEATERS] / (double) s->scalar[REPEAT_CUSTOMERS];
}

void
abm_customer_churn_counts(const abm_state *s, int64_t *active, int64_t *churned)
{
	uint32_t	r;

	*active = *churned = 0;
	for (r = 0; r < s->nrows; r++)
	{
		const int64_t *row = s->rows + (size_t) r * CUSTOMER_CHURN_NCOLS;

		if (row[CUSTOMER_CHURN_AT_START] > 0)
		{
			(*active)++;
			*churned += row[CUSTOMER_CHURN_AT_END] == 0;
		}
	}
}

double
abm_churn_rate_of(const abm_state *s)
{
	if (s->scalar[CHURN_ACTIVE] == 0)
		return NAN;
	return (double) s->scalar[CHURN_CHURNED] / (double) s->scalar[CHURN_ACTIVE];
}

int
abm_churn_rate_counts(int64_t at_start, int64_t at_end, double *rate)
{
	if (at_start < 0 || at_end < 0 || at_end > at_start)
		return -1;
	*rate = at_start == 0 ? NAN : (double) (at_start - at_end) / (double) at_start;
	return 0;
}

int
abm_churn_rate_over(double rate, double periods, double *result)
{
	if (!(rate >= 0 && rate <= 1) || !(periods > 0) || isinf(periods))
		return -1;
	/* 1 - (1 - r)^k, with log1p/expm1 so small rates keep their digits */
	*result = rate == 1 ? 1 : -expm1(periods * log1p(-rate));
	return 0;
}
