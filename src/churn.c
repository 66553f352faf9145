/*
 * churn.c — customer churn arithmetic (see churn.h).
 */
#include "churn.h"

#include <math.h>

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
