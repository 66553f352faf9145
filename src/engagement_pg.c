/*
 * engagement_pg.c — SQL glue of account engagement: engagement_state, its
 * aggregate over touches, and the decayed engagement and surge z-score read
 * from a state.  The arithmetic is in engagement.c.
 */
#include "abm_pg.h"

#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/timestamp.h"

#include "engagement.h"
#include "money_pg.h"

ABM_STATE_TYPE(engagement_state, abm_engagement_schema);

/*
 * engagement_agg(weight, touched) transition: the touch's weight added to
 * its day; sign -1 takes it back out.  A NULL weight or time is ignored.
 */
static Datum
engagement_step(FunctionCallInfo fcinfo, int64 day, int sign)
{
	AbmExpandedState *e;
	abm_money	weight;
	abm_error	err;

	abm_numeric_money(PG_GETARG_DATUM(1), "touch weight", &weight);
	e = abm_state_expanded_mutable(fcinfo, 0, &abm_engagement_schema);
	if (abm_rowset_add_money(&e->rows, day, NULL, &weight, sign, &err) != ABM_OK)
		abm_state_report(&err);
	PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
}

static void pg_attribute_noreturn()
infinite_touch(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("a touch at an infinite time"),
			 errhint("Touches have finite times.")));
}

/* The day of a timestamptz, UTC: time zones do not move a touch between days. */
static int64
day_of_timestamptz(TimestampTz t)
{
	if (TIMESTAMP_NOT_FINITE(t))
		infinite_touch();
	return t >= 0 ? t / USECS_PER_DAY : -((-t + USECS_PER_DAY - 1) / USECS_PER_DAY);
}

static int64
day_of_date(DateADT d)
{
	if (DATE_NOT_FINITE(d))
		infinite_touch();
	return d;
}

#define ENGAGEMENT_TRANSITION(fname, day_of, getter, sign) \
	PG_FUNCTION_INFO_V1(fname); \
	Datum fname(PG_FUNCTION_ARGS) \
	{ \
		if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) \
			ABM_RETURN_STATE_UNCHANGED(); \
		return engagement_step(fcinfo, day_of(getter(2)), sign); \
	}

ENGAGEMENT_TRANSITION(engagement_add_date, day_of_date, PG_GETARG_DATEADT, 1)
ENGAGEMENT_TRANSITION(engagement_remove_date, day_of_date, PG_GETARG_DATEADT, -1)
ENGAGEMENT_TRANSITION(engagement_add_timestamptz, day_of_timestamptz, PG_GETARG_TIMESTAMPTZ, 1)
ENGAGEMENT_TRANSITION(engagement_remove_timestamptz, day_of_timestamptz, PG_GETARG_TIMESTAMPTZ, -1)

/* The as-of date argument, finite. */
static int64
as_of_arg(FunctionCallInfo fcinfo, int argno)
{
	DateADT		d = PG_GETARG_DATEADT(argno);

	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("engagement as of an infinite date"),
				 errhint("Pass the day to read the engagement at, e.g. current_date.")));
	return d;
}

/* engagement(state, as_of, half_life) */
PG_FUNCTION_INFO_V1(engagement_state_engagement);
Datum
engagement_state_engagement(PG_FUNCTION_ARGS)
{
	abm_state	s;
	int64		as_of = as_of_arg(fcinfo, 1);
	double		half_life = abm_interval_days(PG_GETARG_INTERVAL_P(2));

	if (!(half_life > 0.0) || isinf(half_life))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("engagement half_life must be longer than 0"),
				 errhint("For example interval '30 days'.")));
	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_engagement_schema, &s);
	PG_RETURN_FLOAT8(abm_engagement_at(&s, as_of, half_life));
}

/* engagement_zscore(state, as_of, baseline_weeks) */
PG_FUNCTION_INFO_V1(engagement_state_zscore);
Datum
engagement_state_zscore(PG_FUNCTION_ARGS)
{
	abm_state	s;
	int64		as_of = as_of_arg(fcinfo, 1);
	int32		weeks = PG_GETARG_INT32(2);

	if (weeks < 2 || weeks > ABM_MAX_BASELINE_WEEKS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("engagement_zscore baseline of %d weeks is not valid", weeks),
				 errdetail("A baseline is 2 to %d weeks.", ABM_MAX_BASELINE_WEEKS)));
	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_engagement_schema, &s);
	ABM_RETURN_FLOAT8_OR_NULL(abm_engagement_zscore(&s, as_of, weeks));
}
