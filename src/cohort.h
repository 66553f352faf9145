/*
 * cohort.h — cohort retention on the MRR timeline.  Plain C.
 *
 * A customer's cohort is the period (month or quarter) of its first paying
 * month.  For each cohort and k = 0, 1, 2, ... periods later: how many
 * customers it has, how many still pay at the end of period cohort + k
 * (its last month), their MRR in their first paying month (starting MRR)
 * and their MRR then.  Logo retention is retained / customers; revenue
 * retention is the MRR then over the starting MRR.  Only periods that have
 * ended by the month the cohorts are read through are counted.
 */
#ifndef ABM_COHORT_H
#define ABM_COHORT_H

#include <stdint.h>

#include "money.h"
#include "state.h"

/* cohort_state: the period and through month, then a row per (cohort, k). */
enum
{
	COHORT_PERIOD_MONTHS = 0,	/* 1 or 3; ABM_UNSET until a customer counts */
	COHORT_THROUGH = 1			/* the last month counted */
};

enum
{
	COHORT_KEY = 0,				/* cohort's first month * COHORT_K_LIMIT + k */
	COHORT_CUSTOMERS = 1,
	COHORT_RETAINED = 2,
	COHORT_STARTING = 3,		/* money */
	COHORT_MRR = 4,				/* money */
	COHORT_NCOLS = 5
};

/* Periods after its first a cohort is followed for: k < COHORT_K_LIMIT. */
#define COHORT_K_LIMIT 4096

extern const abm_state_schema abm_cohort_schema;

static inline int64_t
abm_cohort_key(int64_t cohort_month, int64_t k)
{
	return cohort_month * COHORT_K_LIMIT + k;
}

static inline void
abm_cohort_key_parts(int64_t key, int64_t *cohort_month, int64_t *k)
{
	int64_t		r = key % COHORT_K_LIMIT;

	if (r < 0)
		r += COHORT_K_LIMIT;
	*k = r;
	*cohort_month = (key - r) / COHORT_K_LIMIT;
}

/*
 * Count one customer's schedule (an mrr_schedule state) into a row set of
 * cohort_state rows, for periods of period_months months read through
 * month `through`; sign -1 takes it back out.  A schedule without a paying
 * month counts nowhere.
 */
abm_status	abm_cohort_add_schedule(abm_rowset *rs, const abm_state *schedule, int period_months,
									int64_t through, int sign, abm_error *err);

#endif
