/*
 * survival_pg.c — SQL glue of the Kaplan-Meier survival state: the type,
 * survival_agg over lifetimes, and the readers of a state (the curve, the
 * median and its limits, S(t), the restricted mean).  The arithmetic is in
 * survival.c; the state machinery in state_pg.c.
 */
#include "abm_pg.h"

#include <math.h>

#include "common/int.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "stats.h"
#include "survival.h"

ABM_STATE_TYPE(survival_state, abm_survival_schema);

#define DEFAULT_CONFIDENCE 0.95

/* Largest integer lifetime held exactly (a double's 53-bit significand). */
#define EXACT_INTEGER_LIMIT (INT64CONST(1) << 53)

static void pg_attribute_noreturn()
lifetime_out_of_range(const char *shown)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("lifetime %s is out of range", shown),
			 errdetail("A lifetime is a finite number from 0 to 2^53, or a non-negative interval."),
			 errhint("A customer still active has the time observed so far as lifetime and churned = false.")));
}

/*
 * The per-row step of survival_agg: one subject whose lifetime ended in
 * churn (an event) or is still running (censored) at `lifetime`; delta -1
 * takes it back out (sliding windows).  A row with a NULL lifetime or a NULL
 * churned flag is ignored.
 */
static Datum
survival_step(FunctionCallInfo fcinfo, double lifetime, int64 delta)
{
	AbmExpandedState *e;
	abm_error	err;

	e = abm_state_expanded_mutable(fcinfo, 0, &abm_survival_schema);
	if (abm_rowset_count(&e->rows, abm_float_key(lifetime),
						 PG_GETARG_BOOL(2) ? SURVIVAL_EVENTS : SURVIVAL_CENSORED, delta, &err) != ABM_OK)
		abm_state_report(&err);
	PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
}

#define SURVIVAL_TRANSITION(fname, to_lifetime, delta) \
	PG_FUNCTION_INFO_V1(fname); \
	Datum fname(PG_FUNCTION_ARGS) \
	{ \
		if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) \
			ABM_RETURN_STATE_UNCHANGED(); \
		return survival_step(fcinfo, to_lifetime(fcinfo), delta); \
	}

static double
lifetime_int8(FunctionCallInfo fcinfo)
{
	int64		v = PG_GETARG_INT64(1);

	if (v < 0 || v > EXACT_INTEGER_LIMIT)
		lifetime_out_of_range(psprintf(INT64_FORMAT, v));
	return (double) v;
}

static double
lifetime_int4(FunctionCallInfo fcinfo)
{
	int32		v = PG_GETARG_INT32(1);

	if (v < 0)
		lifetime_out_of_range(psprintf("%d", v));
	return (double) v;
}

static double
lifetime_float8(FunctionCallInfo fcinfo)
{
	double		v = PG_GETARG_FLOAT8(1);

	if (!(v >= 0) || isinf(v))
		lifetime_out_of_range(psprintf("%g", v));
	return v;
}

/* An interval as days, the way EXTRACT(EPOCH FROM interval) / 86400 reads it. */
static double
lifetime_interval(FunctionCallInfo fcinfo)
{
	Interval   *iv = PG_GETARG_INTERVAL_P(1);
	double		days = abm_interval_days(iv);

	if (!(days >= 0) || isinf(days))
		lifetime_out_of_range(DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(iv))));
	return days;
}

SURVIVAL_TRANSITION(survival_add_int4, lifetime_int4, 1)
SURVIVAL_TRANSITION(survival_add_int8, lifetime_int8, 1)
SURVIVAL_TRANSITION(survival_add_float8, lifetime_float8, 1)
SURVIVAL_TRANSITION(survival_add_interval, lifetime_interval, 1)
SURVIVAL_TRANSITION(survival_remove_int4, lifetime_int4, -1)
SURVIVAL_TRANSITION(survival_remove_int8, lifetime_int8, -1)
SURVIVAL_TRANSITION(survival_remove_float8, lifetime_float8, -1)
SURVIVAL_TRANSITION(survival_remove_interval, lifetime_interval, -1)

/* ---- readers ---- */

static double
confidence_arg(FunctionCallInfo fcinfo, int argno)
{
	double		confidence = PG_GETARG_FLOAT8(argno);

	if (!abm_confidence_valid(confidence))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence %g is out of range", confidence),
				 errdetail("A confidence level is a fraction strictly between 0 and 1."),
				 errhint("Use 0.95 for a 95%% confidence band.")));
	return confidence;
}

static abm_km_conf_type
conf_type_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	int			t = abm_km_conf_type_parse(name);

	if (t < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown confidence band type \"%s\"", name),
				 errdetail("Valid types: log, log-log, plain."),
				 errhint("log is R's survfit default.")));
	return (abm_km_conf_type) t;
}

/* The curve of a state, palloc'd: *n rows. */
static abm_km_row *
curve_of(FunctionCallInfo fcinfo, double confidence, abm_km_conf_type conf_type, size_t *n)
{
	abm_state	s;
	double	   *time;
	int64	   *events,
			   *censored;
	abm_km_row *curve;
	uint32		r;

	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_survival_schema, &s);
	*n = s.nrows;
	time = palloc(sizeof(double) * (s.nrows + 1));
	events = palloc(sizeof(int64) * (s.nrows + 1));
	censored = palloc(sizeof(int64) * (s.nrows + 1));
	curve = palloc(sizeof(abm_km_row) * (s.nrows + 1));
	for (r = 0; r < s.nrows; r++)
	{
		const int64 *row = s.rows + (size_t) r * SURVIVAL_NCOLS;

		time[r] = abm_float_of_key(row[SURVIVAL_TIME]);
		events[r] = row[SURVIVAL_EVENTS];
		censored[r] = row[SURVIVAL_CENSORED];
	}
	if (abm_km_curve(time, events, censored, s.nrows, confidence, conf_type, curve) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("survival_state has more than %lld subjects", (long long) PG_INT64_MAX)));
	return curve;
}

PG_FUNCTION_INFO_V1(survival_state_curve);
Datum
survival_state_curve(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		confidence = confidence_arg(fcinfo, 1);
	abm_km_conf_type conf_type = conf_type_arg(fcinfo, 2);
	size_t		n,
				i;
	abm_km_row *curve = curve_of(fcinfo, confidence, conf_type, &n);

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < n; i++)
	{
		const abm_km_row *c = &curve[i];
		Datum		values[8];
		bool		nulls[8] = {false};

		values[0] = Float8GetDatum(c->time);
		values[1] = Int64GetDatum(c->at_risk);
		values[2] = Int64GetDatum(c->events);
		values[3] = Int64GetDatum(c->censored);
		values[4] = Float8GetDatum(c->survival);
		values[5] = Float8GetDatum(c->std_err);
		values[6] = Float8GetDatum(c->lower);
		values[7] = Float8GetDatum(c->upper);
		nulls[6] = isnan(c->lower);
		nulls[7] = isnan(c->upper);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(survival_state_median);
Datum
survival_state_median(PG_FUNCTION_ARGS)
{
	size_t		n;
	abm_km_row *curve = curve_of(fcinfo, DEFAULT_CONFIDENCE, ABM_KM_LOG, &n);
	double		median,
				lower,
				upper;

	abm_km_median(curve, n, &median, &lower, &upper);
	ABM_RETURN_FLOAT8_OR_NULL(median);
}

PG_FUNCTION_INFO_V1(survival_state_median_interval);
Datum
survival_state_median_interval(PG_FUNCTION_ARGS)
{
	double		confidence = confidence_arg(fcinfo, 1);
	abm_km_conf_type conf_type = conf_type_arg(fcinfo, 2);
	size_t		n;
	abm_km_row *curve = curve_of(fcinfo, confidence, conf_type, &n);
	double		median,
				lower,
				upper;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2];

	abm_km_median(curve, n, &median, &lower, &upper);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "median_lifetime_interval must return a composite type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Float8GetDatum(lower);
	values[1] = Float8GetDatum(upper);
	nulls[0] = isnan(lower);
	nulls[1] = isnan(upper);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(survival_state_at);
Datum
survival_state_at(PG_FUNCTION_ARGS)
{
	double		t = PG_GETARG_FLOAT8(1);
	size_t		n;
	abm_km_row *curve;

	if (isnan(t))
		PG_RETURN_NULL();
	curve = curve_of(fcinfo, DEFAULT_CONFIDENCE, ABM_KM_LOG, &n);
	ABM_RETURN_FLOAT8_OR_NULL(abm_km_survival_at(curve, n, t));
}

PG_FUNCTION_INFO_V1(survival_state_rmean);
Datum
survival_state_rmean(PG_FUNCTION_ARGS)
{
	double		horizon = PG_GETARG_FLOAT8(1);
	size_t		n;
	abm_km_row *curve;

	if (!isfinite(horizon))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("horizon %g is not a finite number", horizon),
				 errhint("The restricted mean lifetime is the area under the curve up to a finite horizon.")));
	curve = curve_of(fcinfo, DEFAULT_CONFIDENCE, ABM_KM_LOG, &n);
	ABM_RETURN_FLOAT8_OR_NULL(abm_km_rmean(curve, n, horizon, NULL));
}

/* subjects(state), churned(state): how many lifetimes, how many ended in churn. */
static int64
column_total(FunctionCallInfo fcinfo, int col)
{
	abm_state	s;
	int64		total = 0;
	uint32		r;

	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_survival_schema, &s);
	for (r = 0; r < s.nrows; r++)
	{
		const int64 *row = s.rows + (size_t) r * SURVIVAL_NCOLS;

		if ((col < 0 && (pg_add_s64_overflow(total, row[SURVIVAL_EVENTS], &total) ||
						 pg_add_s64_overflow(total, row[SURVIVAL_CENSORED], &total))) ||
			(col >= 0 && pg_add_s64_overflow(total, row[col], &total)))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("survival_state count out of range for bigint")));
	}
	return total;
}

PG_FUNCTION_INFO_V1(survival_state_subjects);
Datum
survival_state_subjects(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(column_total(fcinfo, -1));
}

PG_FUNCTION_INFO_V1(survival_state_churned);
Datum
survival_state_churned(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(column_total(fcinfo, SURVIVAL_EVENTS));
}
