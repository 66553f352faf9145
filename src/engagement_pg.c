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

/*
 * engagement_as_of(weight, touched, as_of [, half_life]) aggregate: the decayed
 * sum as of a day fixed in the query, added up as the touches are read.
 * The transition value is the sum (double precision, combined by float8pl),
 * so nothing per day is kept: the fast path when as_of and the half-life
 * are known, where engagement_agg keeps the days to read at any date.
 * Touches after as_of count 0, as engagement(state, as_of) leaves them out;
 * a NULL argument skips the row.  The last (as_of, half_life, day) and its
 * factor are kept: touches read in time order share their day's.
 */
typedef struct decay_memo
{
	int64		as_of;
	double		half_life;
	int64		day;
	double		factor;
} decay_memo;

static double
touch_weight(Datum value)
{
	__int128	units;
	int			scale;
	double		w;

	if (likely(abm_numeric_units(value, "touch weight", &units, &scale) &&
			   abm_units_to_double(units, scale, &w)))
		return w;
	w = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, value));
	if (isinf(w))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("touch weight is out of the range of double precision"),
				 errhint("engagement_as_of sums in double precision; engagement_agg keeps any weight exactly.")));
	return w;
}

static Datum
engagement_sum_step(FunctionCallInfo fcinfo, int64 day)
{
	double		sum = PG_ARGISNULL(0) ? 0.0 : PG_GETARG_FLOAT8(0);
	decay_memo *memo = (decay_memo *) fcinfo->flinfo->fn_extra;
	int64		as_of;
	double		half_life = 30.0,
				w;

	if (PG_NARGS() > 4)
	{
		if (PG_ARGISNULL(4))
			ABM_RETURN_STATE_UNCHANGED();
		half_life = abm_interval_days(PG_GETARG_INTERVAL_P(4));
	}
	as_of = PG_GETARG_DATEADT(3);
	w = touch_weight(PG_GETARG_DATUM(1));
	if (day > as_of)
		PG_RETURN_FLOAT8(sum);	/* after the as-of day: not counted */
	if (unlikely(memo == NULL || memo->day != day || memo->as_of != as_of || memo->half_life != half_life))
	{
		if (DATE_NOT_FINITE(PG_GETARG_DATEADT(3)))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("engagement as of an infinite date"),
					 errhint("Pass the day to read the engagement at, e.g. current_date.")));
		if (!(half_life > 0.0) || isinf(half_life))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("engagement half_life must be longer than 0"),
					 errhint("For example interval '30 days'.")));
		if (memo == NULL)
			fcinfo->flinfo->fn_extra = memo =
				MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(decay_memo));
		memo->as_of = as_of;
		memo->half_life = half_life;
		memo->day = day;
		memo->factor = abm_engagement_decay(as_of - day, half_life);
	}
	sum += w * memo->factor;
	if (unlikely(isinf(sum)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("engagement is out of the range of double precision")));
	PG_RETURN_FLOAT8(sum);
}

#define ENGAGEMENT_SUM_TRANSITION(fname, day_of, getter) \
	PG_FUNCTION_INFO_V1(fname); \
	Datum fname(PG_FUNCTION_ARGS) \
	{ \
		if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3)) \
			ABM_RETURN_STATE_UNCHANGED(); \
		return engagement_sum_step(fcinfo, day_of(getter(2))); \
	}

ENGAGEMENT_SUM_TRANSITION(engagement_sum_date, day_of_date, PG_GETARG_DATEADT)
ENGAGEMENT_SUM_TRANSITION(engagement_sum_timestamptz, day_of_timestamptz, PG_GETARG_TIMESTAMPTZ)

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
