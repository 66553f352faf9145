/*
 * attribution_pg.c — SQL glue of multi-touch attribution: attribute(),
 * which credits one opportunity's amount to its touches.  The models and
 * the largest-remainder rounding are in attribution.c.
 */
#include "abm_pg.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "attribution.h"
#include "money_pg.h"

/* Argument positions of attribute(). */
enum
{
	ARG_MODEL,
	ARG_AMOUNT,
	ARG_CREATED_AT,
	ARG_TOUCHES,
	ARG_TOUCHED_AT,
	ARG_MILESTONES,
	ARG_HALF_LIFE
};

static void pg_attribute_noreturn()
bad_touches(const char *message, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("attribute: %s", message),
			 errhint("%s", hint)));
}

/* The elements of a one-dimensional array argument; nulls may be NULL to forbid them. */
static int
array_of(FunctionCallInfo fcinfo, int argno, Datum **elems, bool **nulls, const char *name)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(argno);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	bool	   *isnull;
	int			n;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("attribute: %s must be a one-dimensional array", name)));
	get_typlenbyvalalign(ARR_ELEMTYPE(a), &typlen, &typbyval, &typalign);
	deconstruct_array(a, ARR_ELEMTYPE(a), typlen, typbyval, typalign, elems, &isnull, &n);
	if (nulls != NULL)
		*nulls = isnull;
	else
		for (int i = 0; i < n; i++)
			if (isnull[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("attribute: element %d of %s is NULL", i + 1, name)));
	return n;
}

/* A touch's time and its place in the arrays: the order of the credits. */
typedef struct touch_order
{
	TimestampTz at;
	int			index;
} touch_order;

static int
by_time_then_index(const void *a, const void *b)
{
	const touch_order *x = a,
			   *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * Put the touches (and their nulls, times and milestones) in time order,
 * touches at the same time in the order given: arrays need no ORDER BY of
 * their own (an index or a sorted subquery gives the order for ties).
 */
static void
in_time_order(int n, Datum *touches, bool *touch_nulls, Datum *times, bool *milestone)
{
	touch_order *order = palloc(sizeof(touch_order) * n);
	Datum	   *t = palloc(sizeof(Datum) * n),
			   *at = palloc(sizeof(Datum) * n);
	bool	   *tn = palloc(sizeof(bool) * n),
			   *ms = palloc(sizeof(bool) * n);

	for (int i = 0; i < n; i++)
	{
		order[i].at = DatumGetTimestampTz(times[i]);
		order[i].index = i;
	}
	qsort(order, n, sizeof(touch_order), by_time_then_index);
	for (int i = 0; i < n; i++)
	{
		int			from = order[i].index;

		t[i] = touches[from];
		tn[i] = touch_nulls[from];
		at[i] = times[from];
		if (milestone != NULL)
			ms[i] = milestone[from];
	}
	memcpy(touches, t, sizeof(Datum) * n);
	memcpy(touch_nulls, tn, sizeof(bool) * n);
	memcpy(times, at, sizeof(Datum) * n);
	if (milestone != NULL)
		memcpy(milestone, ms, sizeof(bool) * n);
}

/*
 * attribute(model, amount, created_at, touches, touched_at, milestones,
 * half_life) → a row per touch (touch, touch_position, fraction, credit),
 * in time order (ties in the order given); no touch gives one row with a NULL touch and the whole
 * amount, so an unattributed opportunity is reported, not dropped.
 */
PG_FUNCTION_INFO_V1(attribute);
Datum
attribute(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			model;
	__int128	amount_units;
	int64		units;
	int			scale;
	TimestampTz created;
	Datum	   *touches,
			   *times,
			   *marks = NULL;
	bool	   *touch_nulls;
	int			n,
				ntimes;
	bool	   *milestone = NULL;
	double	   *age;
	double		half_life = 7.0 * SECS_PER_DAY;
	int64	   *credit;
	double	   *fraction;
	bool		unordered = false;

	if (PG_ARGISNULL(ARG_MODEL))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("attribute: model is NULL"),
				 errhint("The models are %s.", abm_attr_model_names)));
	model = abm_attr_model_parse(text_to_cstring(PG_GETARG_TEXT_PP(ARG_MODEL)));
	if (model < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("attribute: unknown model \"%s\"", text_to_cstring(PG_GETARG_TEXT_PP(ARG_MODEL))),
				 errhint("The models are %s.", abm_attr_model_names)));
	if (PG_ARGISNULL(ARG_CREATED_AT))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("attribute: created_at is NULL"),
				 errhint("Pass the time the opportunity was created; touches are aged to it.")));
	created = PG_GETARG_TIMESTAMPTZ(ARG_CREATED_AT);
	if (!PG_ARGISNULL(ARG_HALF_LIFE))
	{
		half_life = abm_interval_days(PG_GETARG_INTERVAL_P(ARG_HALF_LIFE)) * SECS_PER_DAY;
		if (!(half_life > 0.0) || isinf(half_life))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("attribute: half_life must be longer than 0"),
					 errhint("For example interval '7 days'.")));
	}
	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(ARG_AMOUNT))
		return (Datum) 0;		/* no amount, nothing to credit */
	if (!abm_numeric_units(PG_GETARG_DATUM(ARG_AMOUNT), "amount", &amount_units, &scale) ||
		amount_units >= ABM_ATTR_MAX_UNITS)
		abm_bad_amount("amount", PG_GETARG_DATUM(ARG_AMOUNT),
					   "An attributed amount has at most 18 digits, decimals included.");
	units = (int64) amount_units;
	if (model == ABM_ATTR_TIME_DECAY && units > ABM_ATTR_MAX_DECAY_UNITS)
		abm_bad_amount("amount", PG_GETARG_DATUM(ARG_AMOUNT),
					   "time_decay attributes amounts of at most 2^53 units of their scale (15 digits).");

	n = PG_ARGISNULL(ARG_TOUCHES) ? 0 : array_of(fcinfo, ARG_TOUCHES, &touches, &touch_nulls, "touches");
	if (n == 0)
	{
		/* unattributed: the whole amount, no touch */
		Datum		values[4] = {(Datum) 0, (Datum) 0, Float8GetDatum(1.0), abm_units_numeric(units, scale)};
		bool		nulls[4] = {true, true, false, false};

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		return (Datum) 0;
	}
	if (PG_ARGISNULL(ARG_TOUCHED_AT))
		bad_touches("touched_at is NULL", "Pass the times of the touches, in the same order.");
	ntimes = array_of(fcinfo, ARG_TOUCHED_AT, &times, NULL, "touched_at");
	if (ntimes != n)
		bad_touches(psprintf("%d touches but %d times", n, ntimes),
					"Build both arrays with the same array_agg ORDER BY.");
	if (!PG_ARGISNULL(ARG_MILESTONES))
	{
		if (array_of(fcinfo, ARG_MILESTONES, &marks, NULL, "milestones") != n)
			bad_touches("milestones has another length than touches",
						"Build it with the same array_agg ORDER BY, or pass NULL.");
		milestone = palloc(sizeof(bool) * n);
		for (int i = 0; i < n; i++)
			milestone[i] = DatumGetBool(marks[i]);
	}
	age = palloc(sizeof(double) * n);
	for (int i = 0; i < n; i++)
	{
		TimestampTz t = DatumGetTimestampTz(times[i]);

		if (TIMESTAMP_NOT_FINITE(t))
			bad_touches("a touch at an infinite time", "Touches have finite times.");
		if (t > created)
			bad_touches(psprintf("touch %d is after the opportunity was created", i + 1),
						"Keep only the touches in the lookback window before created_at.");
		if (i > 0 && t < DatumGetTimestampTz(times[i - 1]))
			unordered = true;
	}
	if (unordered)
		in_time_order(n, touches, touch_nulls, times, milestone);
	for (int i = 0; i < n; i++)
		age[i] = (double) (created - DatumGetTimestampTz(times[i])) / USECS_PER_SEC;

	credit = palloc(sizeof(int64) * n);
	fraction = palloc(sizeof(double) * n);
	abm_attr_credits((abm_attr_model) model, n, units, age, half_life, milestone,
					 palloc(abm_attr_work_size(n)), credit, fraction);
	for (int i = 0; i < n; i++)
	{
		Datum		values[4] = {touches[i], Int32GetDatum(i + 1), Float8GetDatum(fraction[i]),
		abm_units_numeric(credit[i], scale)};
		bool		nulls[4] = {touch_nulls[i], false, false, false};

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
