/*
 * churn_pg.c — SQL glue of customer churn: the founding documents' formula
 * over two counts, and converting a rate between period lengths.  The
 * arithmetic is in churn.c.
 */
#include "postgres.h"
#include "fmgr.h"

#include <math.h>

#include "churn.h"

PG_FUNCTION_INFO_V1(churn_rate_counts);
Datum
churn_rate_counts(PG_FUNCTION_ARGS)
{
	int64		at_start = PG_GETARG_INT64(0);
	int64		at_end = PG_GETARG_INT64(1);
	double		rate;

	if (abm_churn_rate_counts(at_start, at_end, &rate) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("customer counts %lld at start and %lld at end are out of range",
						(long long) at_start, (long long) at_end),
				 errdetail("Counts are not negative, and the count at the end is of the customers who were there at the start, so it cannot exceed it."),
				 errhint("Count at the end only the starting cohort's customers; new customers do not offset churn.")));
	if (isnan(rate))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(rate);
}

PG_FUNCTION_INFO_V1(churn_rate_over_periods);
Datum
churn_rate_over_periods(PG_FUNCTION_ARGS)
{
	double		rate = PG_GETARG_FLOAT8(0);
	double		periods = PG_GETARG_FLOAT8(1);
	double		result;

	if (abm_churn_rate_over(rate, periods, &result) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("churn rate %g over %g periods is out of range", rate, periods),
				 errdetail("A churn rate is a fraction from 0 to 1, and the number of periods a finite positive number."),
				 errhint("Annual from monthly: churn_rate_over(monthly, 12); monthly from annual: churn_rate_over(annual, 1.0 / 12).")));
	PG_RETURN_FLOAT8(result);
}
