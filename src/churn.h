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
