/*
 * health_pg.c — SQL glue of account health: account_health and its
 * explanation, health_band, value_at_risk and match_advocates.  The
 * scoring is in health.c.
 */
#include "abm_pg.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "health.h"

ABM_ENUM_TYPE(health_band, abm_health_band_enum);

/* Argument positions: the signals, then their weights, then the band options. */
#define WEIGHT_ARG(i) (ABM_HEALTH_NSIGNALS + (i))
#define AT_RISK_FROM_ARG (2 * ABM_HEALTH_NSIGNALS)
#define HEALTHY_FROM_ARG (AT_RISK_FROM_ARG + 1)
#define CRITICAL_SIGNAL_BELOW_ARG (AT_RISK_FROM_ARG + 2)

/* Read and check the signals and weights, and score them. */
static void
score_args(FunctionCallInfo fcinfo, abm_health_detail *d)
{
	bool		present[ABM_HEALTH_NSIGNALS];
	double		value[ABM_HEALTH_NSIGNALS];
	double		weight[ABM_HEALTH_NSIGNALS];

	for (int i = 0; i < ABM_HEALTH_NSIGNALS; i++)
	{
		const abm_health_signal_info *info = &abm_health_signals[i];

		present[i] = !PG_ARGISNULL(i);
		value[i] = present[i] ? PG_GETARG_FLOAT8(i) : 0.0;
		if (present[i] && !abm_health_signal_valid((abm_health_signal) i, value[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("account health signal %s = %g is out of range %s",
							info->name, value[i], info->range),
					 errhint("Pass NULL for a signal that is not known; it then drops out of the score.")));
		if (PG_ARGISNULL(WEIGHT_ARG(i)))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the weight of account health signal %s is NULL", info->name),
					 errhint("Leave the weight out for its default (%g), or give 0 to ignore the signal.",
							 info->default_weight)));
		weight[i] = PG_GETARG_FLOAT8(WEIGHT_ARG(i));
		if (!abm_health_weight_valid(weight[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the weight of account health signal %s is %g", info->name, weight[i]),
					 errdetail("A weight is a finite number, 0 or more; weights are relative."),
					 errhint("Its default is %g.", info->default_weight)));
	}
	abm_health_score(present, value, weight, d);
}

/*
 * account_health(usage, nps, engagement, relationship, competitor_intent,
 * support_load, days_to_renewal, <signal>_weight ...) → 0..100, NULL when
 * no signal with a positive weight is given.
 */
PG_FUNCTION_INFO_V1(account_health);
Datum
account_health(PG_FUNCTION_ARGS)
{
	abm_health_detail d;

	score_args(fcinfo, &d);
	if (!d.defined)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(d.score);
}

/* Band thresholds must satisfy 0 <= at_risk_from <= healthy_from <= 100: 22023 otherwise. */
static void
check_thresholds(double at_risk_from, double healthy_from)
{
	if (!abm_health_thresholds_valid(at_risk_from, healthy_from))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health band thresholds at_risk_from = %g and healthy_from = %g are not valid",
						at_risk_from, healthy_from),
				 errdetail("They need 0 <= at_risk_from <= healthy_from <= 100."),
				 errhint("The defaults are %g and %g.", ABM_HEALTH_AT_RISK_FROM, ABM_HEALTH_HEALTHY_FROM)));
}

/* Threshold arguments; a NULL one is an error (a band needs both). */
static double
threshold_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("health band threshold %s is NULL", name),
				 errhint("The defaults are at_risk_from = %g and healthy_from = %g.",
						 ABM_HEALTH_AT_RISK_FROM, ABM_HEALTH_HEALTHY_FROM)));
	return PG_GETARG_FLOAT8(argno);
}

/*
 * account_health_detail(signals..., weights..., at_risk_from, healthy_from,
 * critical_signal_below) → (score, band, weakest_signal, weakest_drag,
 * <signal>_points ...).  One row always, all NULL when there is no score, so
 * a LATERAL call keeps every account.
 */
PG_FUNCTION_INFO_V1(account_health_detail);
Datum
account_health_detail(PG_FUNCTION_ARGS)
{
	abm_health_detail d;
	double		at_risk_from = threshold_arg(fcinfo, AT_RISK_FROM_ARG, "at_risk_from");
	double		healthy_from = threshold_arg(fcinfo, HEALTHY_FROM_ARG, "healthy_from");
	bool		any_critical = !PG_ARGISNULL(CRITICAL_SIGNAL_BELOW_ARG);
	double		critical_signal_below = any_critical ? PG_GETARG_FLOAT8(CRITICAL_SIGNAL_BELOW_ARG) : 0.0;
	TupleDesc	tupdesc;
	Datum		values[4 + ABM_HEALTH_NSIGNALS];
	bool		nulls[4 + ABM_HEALTH_NSIGNALS];

	check_thresholds(at_risk_from, healthy_from);
	if (any_critical && !(critical_signal_below >= 0.0 && critical_signal_below <= 100.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("critical_signal_below = %g is not valid", critical_signal_below),
				 errdetail("It is a signal level from 0 to 100, or NULL for no per-signal rule.")));
	score_args(fcinfo, &d);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "account_health_detail must return a record");
	tupdesc = BlessTupleDesc(tupdesc);

	memset(nulls, true, sizeof(nulls));
	if (d.defined)
	{
		int			band = abm_health_band_of(d.score, at_risk_from, healthy_from);

		/* Totango's rule: one condition signal in the critical range is enough */
		if (any_critical && 100.0 * d.lowest_condition_level < critical_signal_below)
			band = ABM_HEALTH_BAND_CRITICAL;
		values[0] = Float8GetDatum(d.score);
		values[1] = CharGetDatum((char) band);
		nulls[0] = nulls[1] = false;
		if (d.weakest >= 0)
		{
			values[2] = CStringGetTextDatum(abm_health_signals[d.weakest].name);
			values[3] = Float8GetDatum(d.weakest_drag);
			nulls[2] = nulls[3] = false;
		}
		for (int i = 0; i < ABM_HEALTH_NSIGNALS; i++)
			if (!isnan(d.points[i]))
			{
				values[4 + i] = Float8GetDatum(d.points[i]);
				nulls[4 + i] = false;
			}
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* health_band(score, at_risk_from, healthy_from) */
PG_FUNCTION_INFO_V1(health_band_of_score);
Datum
health_band_of_score(PG_FUNCTION_ARGS)
{
	double		score = PG_GETARG_FLOAT8(0);
	double		at_risk_from = PG_GETARG_FLOAT8(1);
	double		healthy_from = PG_GETARG_FLOAT8(2);

	check_thresholds(at_risk_from, healthy_from);
	if (!(score >= 0.0 && score <= 100.0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("health score %g is out of range 0..100", score)));
	PG_RETURN_CHAR((char) abm_health_band_of(score, at_risk_from, healthy_from));
}

/*
 * value_at_risk(clv, health) = clv x (100 - health) / 100, exact in numeric
 * and rounded to clv's scale: the CLV an account's risk puts in play.
 */
PG_FUNCTION_INFO_V1(value_at_risk);
Datum
value_at_risk(PG_FUNCTION_ARGS)
{
	Datum		clv = PG_GETARG_DATUM(0);
	double		health = PG_GETARG_FLOAT8(1);
	Datum		risk,
				v;

	if (!(health >= 0.0 && health <= 100.0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("health score %g is out of range 0..100", health),
				 errhint("Pass account_health(...), a score from 0 to 100.")));
	risk = DirectFunctionCall1(float8_numeric, Float8GetDatum(100.0 - health));
	v = DirectFunctionCall2(numeric_mul, clv, risk);
	v = DirectFunctionCall2(numeric_div, v, DirectFunctionCall1(int4_numeric, Int32GetDatum(100)));
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_round, v, DirectFunctionCall1(numeric_scale, clv)));
}

/* An array argument's elements, one-dimensional and without NULLs. */
static void
array_elements(FunctionCallInfo fcinfo, int argno, const char *name, Datum **elems, int *n)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(argno);
	bool	   *nulls;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("match_advocates: %s must be a one-dimensional array", name)));
	get_typlenbyvalalign(ARR_ELEMTYPE(a), &typlen, &typbyval, &typalign);
	deconstruct_array(a, ARR_ELEMTYPE(a), typlen, typbyval, typalign, elems, &nulls, n);
	for (int i = 0; i < *n; i++)
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("match_advocates: element %d of %s is NULL", i + 1, name),
					 errhint("Filter out accounts without a key before array_agg.")));
}

/*
 * match_advocates(at_risk, advocates, cap) → (account, advocate, advocate_rank)
 * The at-risk accounts come in priority order, the advocates best first
 * (the caller's array_agg ORDER BY); each at-risk account takes the best
 * advocate with room left, so advocate k (0-based) serves at-risk accounts
 * k*cap .. k*cap+cap-1.  Accounts past the advocates' room get NULL.
 */
PG_FUNCTION_INFO_V1(match_advocates);
Datum
match_advocates(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *at_risk,
			   *advocates = NULL;
	int			nat_risk,
				nadvocates = 0;
	int32		cap;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("match_advocates: cap is NULL"),
				 errhint("cap is how many at-risk accounts one advocate may take, 1 or more.")));
	cap = PG_GETARG_INT32(2);
	if (cap < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("match_advocates: cap %d is not valid", cap),
				 errhint("cap is how many at-risk accounts one advocate may take, 1 or more.")));
	InitMaterializedSRF(fcinfo, 0);
	/* array_agg over no rows is NULL: no at-risk accounts, or no advocates */
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	array_elements(fcinfo, 0, "at_risk", &at_risk, &nat_risk);
	if (!PG_ARGISNULL(1))
		array_elements(fcinfo, 1, "advocates", &advocates, &nadvocates);

	for (int i = 0; i < nat_risk; i++)
	{
		long		a = abm_advocate_for(i, cap, nadvocates);
		Datum		values[3] = {at_risk[i], (Datum) 0, (Datum) 0};
		bool		nulls[3] = {false, true, true};

		if (a >= 0)
		{
			values[1] = advocates[a];
			values[2] = Int32GetDatum((int32) a + 1);
			nulls[1] = nulls[2] = false;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
