/*
 * churn.h — customer (logo) churn as SPEC.md defines it.  Plain C.
 *
 *   churn rate of a cohort    (customers at start - those of them still
 *                             customers at the end) / customers at start
 *   over k periods            1 - (1 - rate)^k   (k may be fractional:
 *                             monthly from annual is k = 1/12)
 */
#ifndef ABM_CHURN_H
#define ABM_CHURN_H

#include <stdint.h>

#include "state.h"

/*
 * churn_state: the customers active at the start of a period and how many
 * of them churned by its end, with the period they were counted in.
 * Lifetimes and periods are half-open, [started, ended) and [lo, hi), in
 * microseconds since 2000-01-01 (a date counts from its midnight, UTC).
 */
enum
{
	CHURN_PERIOD_START = 0,		/* lo; ABM_UNSET until a row is counted */
	CHURN_PERIOD_END = 1,		/* hi */
	CHURN_ACTIVE = 2,			/* active at lo: started <= lo < ended */
	CHURN_CHURNED = 3			/* of those, ended <= hi */
};

extern const abm_state_schema abm_churn_schema;

/*
 * How one lifetime counts in [lo, hi): active when started <= lo and it had
 * not ended by lo (open-ended: has_end = 0); churned when active and ended
 * <= hi, so a lifetime ending exactly at hi churned in this period.
 */
static inline void
abm_churn_classify(int64_t started, int has_end, int64_t ended, int64_t lo, int64_t hi,
				   int *active, int *churned)
{
	*active = started <= lo && (!has_end || ended > lo);
	*churned = *active && has_end && ended <= hi;
}

/*
 * customer_churn_state: the same period, and a row per customer: how many of
 * its subscriptions were active at the period's start and at its end.  A
 * customer churned when one was active at the start and none is at the end,
 * so a customer whose last subscription ends in the period churns, and one
 * who leaves and comes back within it does not.
 */
enum
{
	CUSTOMER_CHURN_ID = 0,
	CUSTOMER_CHURN_AT_START = 1,
	CUSTOMER_CHURN_AT_END = 2,
	CUSTOMER_CHURN_NCOLS = 3
};

extern const abm_state_schema abm_customer_churn_schema;

/* Customers active at the start of a customer_churn_state's period, and churned of them. */
void		abm_customer_churn_counts(const abm_state *s, int64_t *active, int64_t *churned);

/*
 * repeat_purchase_state: customers (one row each, with its number of
 * purchases) and those of them with two or more purchases.
 */
enum
{
	REPEAT_CUSTOMERS = 0,
	REPEAT_REPEATERS = 1
};

extern const abm_state_schema abm_repeat_purchase_schema;

/* repeaters / customers; NaN when there are no customers. */
double		abm_repeat_purchase_rate_of(const abm_state *s);

/* churned / active of a state; NaN when no one was active at the start. */
double		abm_churn_rate_of(const abm_state *s);

/*
 * The founding documents' formula.  Returns NaN when at_start is 0 (no
 * cohort); -1 when a count is negative or at_end exceeds at_start (the end
 * count must be of the starting cohort), 0 otherwise.
 */
int			abm_churn_rate_counts(int64_t at_start, int64_t at_end, double *rate);

/*
 * A rate per period compounded over `periods` periods.  Returns -1 when the
 * rate is outside [0, 1] or periods is not a finite positive number.
 */
int			abm_churn_rate_over(double rate, double periods, double *result);

#endif
