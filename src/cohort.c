/*
 * cohort.c — the cohort_state and how a schedule counts in it (cohort.h).
 */
#include "cohort.h"

#include <inttypes.h>

#include "schedule.h"

static const abm_state_field cohort_fields[] = {
	{"period_months", ABM_MERGE_SAME, 0},
	{"through", ABM_MERGE_SAME, 0},
};

static const char *const cohort_cols[] = {"cohort", "customers", "retained", "starting_mrr", "mrr"};

static int64_t
floor_mod(int64_t a, int64_t b)
{
	int64_t		r = a % b;

	return r < 0 ? r + b : r;
}

/*
 * The period and through month are set together, once a customer counts;
 * periods are months or quarters (a cohort starts on a quarter's first
 * month); a cohort keeps no more customers than it has; and no period is
 * counted past `through`.
 */
static abm_status
cohort_check(const abm_state *s, abm_error *err)
{
	int64_t		months = s->scalar[COHORT_PERIOD_MONTHS],
				through = s->scalar[COHORT_THROUGH];
	size_t		st = abm_state_row_cells(s);
	uint32_t	r;

	if ((months == ABM_UNSET) != (through == ABM_UNSET))
		return abm_fail(err, ABM_ERR_SYNTAX, "period_months and through are set together.");
	if (months == ABM_UNSET && s->nrows > 0)
		return abm_fail(err, ABM_ERR_SYNTAX, "a cohort_state with cohorts has a period.");
	if (months != ABM_UNSET && months != 1 && months != 3)
		return abm_fail(err, ABM_ERR_RANGE, "period_months must be 1 or 3, found %" PRId64 ".", months);
	if (through != ABM_UNSET && (through < ABM_MONTH_MIN || through > ABM_MONTH_MAX))
		return abm_fail(err, ABM_ERR_RANGE, "through month %" PRId64 " is outside the dates of PostgreSQL.", through);
	for (r = 0; r < s->nrows; r++)
	{
		const int64_t *row = s->rows + (size_t) r * st;
		int64_t		cohort,
					k;

		abm_money	starting,
					mrr;

		abm_cohort_key_parts(row[COHORT_KEY], &cohort, &k);
		if (cohort < ABM_MONTH_MIN || cohort > ABM_MONTH_MAX)
			return abm_fail(err, ABM_ERR_RANGE, "cohort month %" PRId64 " is outside the dates of PostgreSQL.", cohort);
		if (floor_mod(cohort, months) != 0)
			return abm_fail(err, ABM_ERR_RANGE, "cohort month %" PRId64 " does not start a period of %" PRId64 " months.",
							cohort, months);
		if (cohort > INT64_MAX / 2 || cohort + (k + 1) * months - 1 > through)
			return abm_fail(err, ABM_ERR_RANGE, "cohort month %" PRId64 " period %" PRId64 " ends after month %" PRId64 ".",
							cohort, k, through);
		if (row[COHORT_RETAINED] > row[COHORT_CUSTOMERS])
			return abm_fail(err, ABM_ERR_RANGE, "retained must not exceed customers.");
		/* a cohort has customers, who paid when they started, and no MRR is negative */
		abm_state_row_money(s, r, COHORT_STARTING, &starting);
		abm_state_row_money(s, r, COHORT_MRR, &mrr);
		if (row[COHORT_CUSTOMERS] == 0 || abm_money_sign(&starting) <= 0 || abm_money_sign(&mrr) < 0)
			return abm_fail(err, ABM_ERR_RANGE, "cohort month %" PRId64 " period %" PRId64 " has no customers, or an amount that is not positive.",
							cohort, k);
	}
	return ABM_OK;
}

const abm_state_schema abm_cohort_schema = {
	.type_name = "cohort_state",
	.kind = 9,
	.nscalars = 2,
	.scalars = cohort_fields,
	.ncols = COHORT_NCOLS,
	.col_names = cohort_cols,
	.nmoneycols = 2,
	.check = cohort_check,
};

abm_status
abm_cohort_add_schedule(abm_rowset *rs, const abm_state *schedule, int period_months,
						int64_t through, int sign, abm_error *err)
{
	size_t		st = abm_state_row_cells(schedule);
	int64_t		first,
				cohort,
				k,
				end;
	uint32_t	next = 0;
	abm_money	mrr,
				amounts[2];
	abm_status	status;

	if (schedule->nrows == 0)
		return ABM_OK;
	first = schedule->rows[0];
	cohort = first - floor_mod(first, period_months);
	abm_state_row_money(schedule, 0, SCHEDULE_CHANGE, &amounts[0]);	/* MRR of the first month */
	abm_money_zero(&mrr, schedule->money_scale);
	for (k = 0; k < COHORT_K_LIMIT; k++)
	{
		int64_t		counts[2];

		end = cohort + (k + 1) * period_months - 1;	/* the period's last month */
		if (end > through)
			break;
		while (next < schedule->nrows && schedule->rows[(size_t) next * st] <= end)
		{
			abm_money	change;

			abm_state_row_money(schedule, next, SCHEDULE_CHANGE, &change);
			if ((status = abm_money_add(&mrr, &change, 1, err)) != ABM_OK)
				return status;
			next++;
		}
		counts[0] = sign;
		counts[1] = abm_money_sign(&mrr) > 0 ? sign : 0;
		amounts[1] = mrr;
		if ((status = abm_rowset_add_money(rs, abm_cohort_key(cohort, k), counts, amounts, sign, err)) != ABM_OK)
			return status;
	}
	return ABM_OK;
}
