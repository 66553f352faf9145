/*
 * pipeline_pg.c — SQL glue of proportions and the pipeline models:
 * proportion_state and win_rate, Wilson intervals, pipeline_velocity and
 * tal_size.  The arithmetic is in pipeline.c and stats.c.
 */
#include "abm_pg.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "pipeline.h"
#include "stats.h"

ABM_STATE_TYPE(proportion_state, abm_proportion_schema);

StaticAssertDecl(ABM_NATIVE_SCALARS + 2 * sizeof(int64) == 24, "proportion_state transition: SSPACE = 24");

Datum
abm_wilson_datum(FunctionCallInfo fcinfo, double successes, double n, double confidence)
{
	TupleDesc	tupdesc;
	double		lower,
				upper;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "an interval function must return a record");
	tupdesc = BlessTupleDesc(tupdesc);
	abm_check_confidence(confidence);
	if (!abm_wilson_interval(successes, n, confidence, &lower, &upper))
		nulls[0] = nulls[1] = true;
	values[0] = Float8GetDatum(lower);
	values[1] = Float8GetDatum(upper);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * proportion_agg(boolean), win_rate(boolean) transition: true is a success
 * and a trial, false a trial; NULL (an open opportunity) is not counted.
 */
#define PROPORTION_TRANSITION(fname, delta) \
	PG_FUNCTION_INFO_V1(fname); \
	Datum fname(PG_FUNCTION_ARGS) \
	{ \
		if (PG_ARGISNULL(1)) \
			ABM_RETURN_STATE_UNCHANGED(); \
		return abm_agg_count_step(fcinfo, &abm_proportion_schema, PROPORTION_TRIALS, \
								  PROPORTION_SUCCESSES, PG_GETARG_BOOL(1), delta); \
	}

PROPORTION_TRANSITION(proportion_count, 1)
PROPORTION_TRANSITION(proportion_uncount, -1)

PG_FUNCTION_INFO_V1(proportion_state_proportion);
Datum
proportion_state_proportion(PG_FUNCTION_ARGS)
{
	abm_state	s;

	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_proportion_schema, &s);
	ABM_RETURN_FLOAT8_OR_NULL(abm_proportion_of(&s));
}

PG_FUNCTION_INFO_V1(proportion_state_interval);
Datum
proportion_state_interval(PG_FUNCTION_ARGS)
{
	abm_state	s;

	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_proportion_schema, &s);
	return abm_wilson_datum(fcinfo, (double) s.scalar[PROPORTION_SUCCESSES],
							(double) s.scalar[PROPORTION_TRIALS], PG_GETARG_FLOAT8(1));
}

ABM_STATE_SCALAR(proportion_state_successes, abm_proportion_schema, PROPORTION_SUCCESSES);
ABM_STATE_SCALAR(proportion_state_trials, abm_proportion_schema, PROPORTION_TRIALS);

/* wilson_interval(successes, trials, confidence) */
PG_FUNCTION_INFO_V1(wilson_interval);
Datum
wilson_interval(PG_FUNCTION_ARGS)
{
	int64		successes = PG_GETARG_INT64(0);
	int64		trials = PG_GETARG_INT64(1);

	if (successes < 0 || trials < 0 || successes > trials)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("wilson_interval of " INT64_FORMAT " successes out of " INT64_FORMAT " trials",
						successes, trials),
				 errdetail("Successes and trials are 0 or more, and successes at most trials.")));
	return abm_wilson_datum(fcinfo, (double) successes, (double) trials, PG_GETARG_FLOAT8(2));
}

/* 22003 for a model's argument outside its range, naming it. */
static void pg_attribute_noreturn()
model_argument_out_of_range(const char *function, const char *argument, const char *shown, const char *range)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s: %s = %s is out of range", function, argument, shown),
			 errdetail("%s is %s.", argument, range)));
}

/*
 * pipeline_velocity(opportunities, win_rate, avg_deal_size, cycle_days):
 * the pipeline value closed per day, in numeric.
 */
PG_FUNCTION_INFO_V1(pipeline_velocity);
Datum
pipeline_velocity(PG_FUNCTION_ARGS)
{
	int64		opportunities = PG_GETARG_INT64(0);
	double		win_rate = PG_GETARG_FLOAT8(1);
	Numeric		deal = PG_GETARG_NUMERIC(2);
	double		cycle_days = PG_GETARG_FLOAT8(3);
	Datum		v;

	if (opportunities < 0)
		model_argument_out_of_range("pipeline_velocity", "opportunities", psprintf(INT64_FORMAT, opportunities),
									"a count, 0 or more");
	if (!abm_rate_in_unit_interval(win_rate))
		model_argument_out_of_range("pipeline_velocity", "win_rate", psprintf("%g", win_rate),
									"a fraction from 0 to 1");
	if (numeric_is_nan(deal) || numeric_is_inf(deal) ||
		DatumGetBool(DirectFunctionCall2(numeric_lt, NumericGetDatum(deal),
										 DirectFunctionCall1(int4_numeric, Int32GetDatum(0)))))
		model_argument_out_of_range("pipeline_velocity", "avg_deal_size",
									DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(deal))),
									"a finite amount, 0 or more");
	if (!(isfinite(cycle_days) && cycle_days > 0.0))
		model_argument_out_of_range("pipeline_velocity", "cycle_days", psprintf("%g", cycle_days),
									"a finite number of days, more than 0");
	v = DirectFunctionCall2(numeric_mul, DirectFunctionCall1(int8_numeric, Int64GetDatum(opportunities)),
							DirectFunctionCall1(float8_numeric, Float8GetDatum(win_rate)));
	v = DirectFunctionCall2(numeric_mul, v, NumericGetDatum(deal));
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div, v,
										DirectFunctionCall1(float8_numeric, Float8GetDatum(cycle_days))));
}

/* tal_size(sales_reps, wins_per_rep, win_rate, target_to_pipeline_rate) */
PG_FUNCTION_INFO_V1(tal_size);
Datum
tal_size(PG_FUNCTION_ARGS)
{
	double		args[TAL_NARGS];
	int			bad;

	for (int i = 0; i < TAL_NARGS; i++)
		args[i] = PG_GETARG_FLOAT8(i);
	bad = abm_tal_size_bad_argument(args);
	if (bad >= 0)
		model_argument_out_of_range("tal_size", abm_tal_size_arguments[bad], psprintf("%g", args[bad]),
									bad >= TAL_WIN_RATE ? "a rate in (0, 1]" : "a finite number, 0 or more");
	PG_RETURN_FLOAT8(abm_tal_size(args));
}
