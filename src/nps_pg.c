/*
 * nps_pg.c — SQL glue of the survey metrics: nps_class, nps_state, the NPS
 * and CSAT aggregates and the accessors over nps_state.  The arithmetic is
 * in nps.c; the state machinery in state_pg.c.
 */
#include "abm_pg.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/int.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "money_pg.h"
#include "nps.h"
#include "stats.h"

ABM_ENUM_TYPE(nps_class, abm_nps_class_enum);
ABM_STATE_TYPE(nps_state, abm_nps_schema);
ABM_STATE_TYPE(csat_state, abm_csat_schema);

#define DEFAULT_CONFIDENCE 0.95

/*
 * The transition value of these aggregates is the state type itself, in its
 * native form: 32 bytes for an nps_state, 40 with a confidence, 24 for a
 * csat_state.  The install script declares these sizes as SSPACE.
 */
StaticAssertDecl(ABM_NATIVE_SCALARS + 3 * sizeof(int64) == 32, "nps_state transition: SSPACE = 32");
StaticAssertDecl(ABM_NATIVE_SCALARS + 2 * sizeof(int64) == 24, "csat_state transition: SSPACE = 24");

static void pg_attribute_noreturn()
score_out_of_range(const char *metric, int64 score, int lo, int hi)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s score %lld is out of range %d..%d", metric, (long long) score, lo, hi),
			 errdetail("%s scores are integers from %d to %d.", metric, lo, hi),
			 errhint("Map other scales to %d..%d before aggregating, or filter the row out.", lo, hi)));
}

/*
 * A score from a numeric column: an integral value (7.0 is 7; 7.5, NaN and
 * infinities are errors).  Out of lo..hi is the same error as for integers.
 */
static int64
numeric_score(Datum value, const char *metric, int lo, int hi)
{
	struct varlena *v;
	NumericParts n = numeric_parts(value, &v);
	int16		first;

	if (n.ndigits == 0 && !n.special)
		return 0;
	if (n.special || n.weight < 0 || n.ndigits > n.weight + 1)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s score %s is not an integer", metric,
						DatumGetCString(DirectFunctionCall1(numeric_out, value))),
				 errdetail("%s scores are integers from %d to %d.", metric, lo, hi),
				 errhint("Round the scores (round(score)) or map them to %d..%d before aggregating.", lo, hi)));
	if (n.weight > 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s score %s is out of range %d..%d", metric,
						DatumGetCString(DirectFunctionCall1(numeric_out, value)), lo, hi),
				 errdetail("%s scores are integers from %d to %d.", metric, lo, hi),
				 errhint("Map other scales to %d..%d before aggregating, or filter the row out.", lo, hi)));
	memcpy(&first, n.digits, sizeof(first));
	return n.neg ? -(int64) first : first;
}

#define PG_GETARG_NPS_NUMERIC(n) numeric_score(PG_GETARG_DATUM(n), "NPS", NPS_SCORE_MIN, NPS_SCORE_MAX)
#define PG_GETARG_CSAT_NUMERIC(n) numeric_score(PG_GETARG_DATUM(n), "CSAT", CSAT_SCORE_MIN, CSAT_SCORE_MAX)

void
abm_check_confidence(double confidence)
{
	if (!abm_confidence_valid(confidence))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence %g is out of range", confidence),
				 errdetail("A confidence level is a fraction strictly between 0 and 1."),
				 errhint("Use 0.95 for a 95%% margin of error.")));
}

/* The per-row path of every NPS aggregate. */
static pg_attribute_always_inline Datum
nps_step(FunctionCallInfo fcinfo, int64 score, int64 delta)
{
	if (unlikely(score < NPS_SCORE_MIN || score > NPS_SCORE_MAX))
		score_out_of_range("NPS", score, NPS_SCORE_MIN, NPS_SCORE_MAX);
	return abm_agg_count_step(fcinfo, &abm_nps_schema, abm_nps_class_of(score), -1, 0, delta);
}

/*
 * The SQL-callable transitions over a score column, one per input type so no
 * row pays for a cast.  A row with a NULL score (or a NULL in the further
 * argument `more_null` tests) leaves the state as it is.
 */
#define SCORE_TRANSITION(fname, step, getter, delta, more_null) \
	PG_FUNCTION_INFO_V1(fname); \
	Datum fname(PG_FUNCTION_ARGS) \
	{ \
		if (PG_ARGISNULL(1) || (more_null)) \
			ABM_RETURN_STATE_UNCHANGED(); \
		return step(fcinfo, getter(1), delta); \
	}

SCORE_TRANSITION(nps_count_int2, nps_step, PG_GETARG_INT16, 1, false)
SCORE_TRANSITION(nps_count_int4, nps_step, PG_GETARG_INT32, 1, false)
SCORE_TRANSITION(nps_count_int8, nps_step, PG_GETARG_INT64, 1, false)
SCORE_TRANSITION(nps_uncount_int2, nps_step, PG_GETARG_INT16, -1, false)
SCORE_TRANSITION(nps_uncount_int4, nps_step, PG_GETARG_INT32, -1, false)
SCORE_TRANSITION(nps_uncount_int8, nps_step, PG_GETARG_INT64, -1, false)
SCORE_TRANSITION(nps_count_numeric, nps_step, PG_GETARG_NPS_NUMERIC, 1, false)
SCORE_TRANSITION(nps_uncount_numeric, nps_step, PG_GETARG_NPS_NUMERIC, -1, false)

/*
 * nps_margin(score, confidence): the confidence travels in the state as its
 * parameter (so a partial state shipped between nodes keeps it); it must be
 * the same on every row.  Rows with a NULL score or confidence are ignored,
 * as by any aggregate with a strict transition.
 */
static Datum
nps_conf_step(FunctionCallInfo fcinfo, int64 score, int64 delta)
{
	double		confidence = PG_GETARG_FLOAT8(2);
	AbmStateDatum *s = abm_state_datum_owned(fcinfo, 0, &abm_nps_schema);
	double	   *param;

	abm_check_confidence(confidence);
	if (unlikely(score < NPS_SCORE_MIN || score > NPS_SCORE_MAX))
		score_out_of_range("NPS", score, NPS_SCORE_MIN, NPS_SCORE_MAX);
	if (s == NULL || !(s->flags & ABM_STATE_FLAG_PARAM) ||
		VARSIZE(s) != VARHDRSZ + abm_state_native_scalar_size(&abm_nps_schema, true))
		s = abm_state_datum_mutable(fcinfo, 0, &abm_nps_schema, true);
	param = abm_state_datum_param(s, &abm_nps_schema);
	if (isnan(*param))
		*param = confidence;
	else if (*param != confidence)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence must be the same for every row of a group"),
				 errdetail("Found %g after %g.", confidence, *param)));
	abm_state_datum_count(s, &abm_nps_schema, abm_nps_class_of(score), delta);
	PG_RETURN_POINTER(s);
}

SCORE_TRANSITION(nps_conf_count_int2, nps_conf_step, PG_GETARG_INT16, 1, PG_ARGISNULL(2))
SCORE_TRANSITION(nps_conf_count_int4, nps_conf_step, PG_GETARG_INT32, 1, PG_ARGISNULL(2))
SCORE_TRANSITION(nps_conf_count_int8, nps_conf_step, PG_GETARG_INT64, 1, PG_ARGISNULL(2))
SCORE_TRANSITION(nps_conf_uncount_int2, nps_conf_step, PG_GETARG_INT16, -1, PG_ARGISNULL(2))
SCORE_TRANSITION(nps_conf_uncount_int4, nps_conf_step, PG_GETARG_INT32, -1, PG_ARGISNULL(2))
SCORE_TRANSITION(nps_conf_uncount_int8, nps_conf_step, PG_GETARG_INT64, -1, PG_ARGISNULL(2))
SCORE_TRANSITION(nps_conf_count_numeric, nps_conf_step, PG_GETARG_NPS_NUMERIC, 1, PG_ARGISNULL(2))
SCORE_TRANSITION(nps_conf_uncount_numeric, nps_conf_step, PG_GETARG_NPS_NUMERIC, -1, PG_ARGISNULL(2))

/* CSAT: 1..5; every answer counts in responses, 4 and 5 also in satisfied. */
static pg_attribute_always_inline Datum
csat_step(FunctionCallInfo fcinfo, int64 score, int64 delta)
{
	if (unlikely(score < CSAT_SCORE_MIN || score > CSAT_SCORE_MAX))
		score_out_of_range("CSAT", score, CSAT_SCORE_MIN, CSAT_SCORE_MAX);
	return abm_agg_count_step(fcinfo, &abm_csat_schema, CSAT_RESPONSES, CSAT_SATISFIED, score >= 4, delta);
}

SCORE_TRANSITION(csat_count_int2, csat_step, PG_GETARG_INT16, 1, false)
SCORE_TRANSITION(csat_count_int4, csat_step, PG_GETARG_INT32, 1, false)
SCORE_TRANSITION(csat_count_int8, csat_step, PG_GETARG_INT64, 1, false)
SCORE_TRANSITION(csat_uncount_int2, csat_step, PG_GETARG_INT16, -1, false)
SCORE_TRANSITION(csat_uncount_int4, csat_step, PG_GETARG_INT32, -1, false)
SCORE_TRANSITION(csat_uncount_int8, csat_step, PG_GETARG_INT64, -1, false)
SCORE_TRANSITION(csat_count_numeric, csat_step, PG_GETARG_CSAT_NUMERIC, 1, false)
SCORE_TRANSITION(csat_uncount_numeric, csat_step, PG_GETARG_CSAT_NUMERIC, -1, false)

/*
 * Final function of nps_margin(score[, confidence]): at the confidence the
 * state carries, else 0.95.  (nps() and csat() finish with the accessors
 * nps(nps_state) and csat(csat_state).)
 */
PG_FUNCTION_INFO_V1(nps_state_margin_final);
Datum
nps_state_margin_final(PG_FUNCTION_ARGS)
{
	abm_state	s;
	abm_nps_counts c;

	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_nps_schema, &s);
	c = abm_nps_counts_of(&s);
	ABM_RETURN_FLOAT8_OR_NULL(abm_nps_margin(&c, s.has_param ? s.param : DEFAULT_CONFIDENCE));
}

/* ---- accessors over nps_state ---- */

static abm_nps_counts
state_counts(FunctionCallInfo fcinfo, int argno)
{
	abm_state	s;

	abm_state_from_datum(PG_GETARG_DATUM(argno), &abm_nps_schema, &s);
	return abm_nps_counts_of(&s);
}

static double
confidence_arg(FunctionCallInfo fcinfo, int argno)
{
	double		confidence = PG_NARGS() > argno ? PG_GETARG_FLOAT8(argno) : DEFAULT_CONFIDENCE;

	abm_check_confidence(confidence);
	return confidence;
}

PG_FUNCTION_INFO_V1(nps_state_nps);
Datum
nps_state_nps(PG_FUNCTION_ARGS)
{
	abm_nps_counts c = state_counts(fcinfo, 0);

	ABM_RETURN_FLOAT8_OR_NULL(abm_nps_value(&c));
}

PG_FUNCTION_INFO_V1(nps_state_margin);
Datum
nps_state_margin(PG_FUNCTION_ARGS)
{
	abm_nps_counts c = state_counts(fcinfo, 0);

	ABM_RETURN_FLOAT8_OR_NULL(abm_nps_margin(&c, confidence_arg(fcinfo, 1)));
}

PG_FUNCTION_INFO_V1(nps_state_diff_margin);
Datum
nps_state_diff_margin(PG_FUNCTION_ARGS)
{
	abm_nps_counts a = state_counts(fcinfo, 0);
	abm_nps_counts b = state_counts(fcinfo, 1);

	ABM_RETURN_FLOAT8_OR_NULL(abm_nps_diff_margin(&a, &b, confidence_arg(fcinfo, 2)));
}

PG_FUNCTION_INFO_V1(nps_state_interval);
Datum
nps_state_interval(PG_FUNCTION_ARGS)
{
	abm_nps_counts c = state_counts(fcinfo, 0);
	double		confidence = confidence_arg(fcinfo, 1);
	char	   *method_name = text_to_cstring(PG_GETARG_TEXT_PP(2));
	int			method = abm_nps_method_parse(method_name);
	double		lower,
				upper;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (method < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown NPS interval method \"%s\"", method_name),
				 errdetail("Valid methods: wald, adjusted_wald."),
				 errhint("Use adjusted_wald for segments of fewer than about 100 answers.")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "nps_interval must return a composite type");
	tupdesc = BlessTupleDesc(tupdesc);

	if (abm_nps_interval(&c, confidence, (abm_nps_method) method, &lower, &upper))
	{
		values[0] = Float8GetDatum(lower);
		values[1] = Float8GetDatum(upper);
	}
	else
	{
		values[0] = values[1] = (Datum) 0;
		nulls[0] = nulls[1] = true;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

ABM_STATE_SCALAR(nps_state_detractors, abm_nps_schema, NPS_DETRACTORS);
ABM_STATE_SCALAR(nps_state_passives, abm_nps_schema, NPS_PASSIVES);
ABM_STATE_SCALAR(nps_state_promoters, abm_nps_schema, NPS_PROMOTERS);

PG_FUNCTION_INFO_V1(nps_state_responses);
Datum
nps_state_responses(PG_FUNCTION_ARGS)
{
	abm_state	s;
	int64		n;

	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_nps_schema, &s);
	if (pg_add_s64_overflow(s.scalar[NPS_DETRACTORS], s.scalar[NPS_PASSIVES], &n) ||
		pg_add_s64_overflow(n, s.scalar[NPS_PROMOTERS], &n))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("nps_state response count out of range for bigint")));
	PG_RETURN_INT64(n);
}

/* nps_class(score): the class of one answer. */
#define NPS_CLASS_OF(fname, getter) \
	PG_FUNCTION_INFO_V1(fname); \
	Datum fname(PG_FUNCTION_ARGS) \
	{ \
		int64 score = getter(0); \
		static const char codes[] = {NPS_CLASS_CODE_DETRACTOR, NPS_CLASS_CODE_PASSIVE, NPS_CLASS_CODE_PROMOTER}; \
		if (score < NPS_SCORE_MIN || score > NPS_SCORE_MAX) \
			score_out_of_range("NPS", score, NPS_SCORE_MIN, NPS_SCORE_MAX); \
		PG_RETURN_CHAR(codes[abm_nps_class_of(score)]); \
	}

NPS_CLASS_OF(nps_class_of_int2, PG_GETARG_INT16)
NPS_CLASS_OF(nps_class_of_int4, PG_GETARG_INT32)
NPS_CLASS_OF(nps_class_of_int8, PG_GETARG_INT64)
NPS_CLASS_OF(nps_class_of_numeric, PG_GETARG_NPS_NUMERIC)

/* ---- accessors over csat_state ---- */

PG_FUNCTION_INFO_V1(csat_state_csat);
Datum
csat_state_csat(PG_FUNCTION_ARGS)
{
	abm_state	s;

	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_csat_schema, &s);
	ABM_RETURN_FLOAT8_OR_NULL(abm_csat_value(&s));
}

ABM_STATE_SCALAR(csat_state_satisfied, abm_csat_schema, CSAT_SATISFIED);
ABM_STATE_SCALAR(csat_state_responses, abm_csat_schema, CSAT_RESPONSES);

/* ---- account_nps: one vote per account ---- */

/*
 * The transition value of account_nps and account_nps_margin is a float8[4]
 * {accounts, sum of votes, sum of squared deviations, confidence (0: not
 * set)}: a real type, so partial states travel between nodes as its text.
 */
#define ACCOUNT_NPS_CELLS 4
/* Where the cells of a checked state (one dimension, no NULLs) start. */
#define ACCOUNT_NPS_DATA(a) ((float8 *) ((char *) (a) + ARR_OVERHEAD_NONULLS(1)))

/* The cells of an account_nps state in argument argno, checked; its moments in *m. */
static float8 *
account_nps_cells(FunctionCallInfo fcinfo, int argno, abm_vote_moments *m)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(argno);
	float8	   *cells;

	if (ARR_NDIM(a) != 1 || ARR_DIMS(a)[0] != ACCOUNT_NPS_CELLS || ARR_HASNULL(a) ||
		ARR_ELEMTYPE(a) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("account_nps state is not valid"),
				 errdetail("The state is a float8[%d] without NULLs.", ACCOUNT_NPS_CELLS)));
	cells = ACCOUNT_NPS_DATA(a);
	m->n = cells[0];
	m->sum = cells[1];
	m->sq_dev = cells[2];
	if (!abm_vote_moments_valid(m) ||
		!(cells[3] == 0.0 || abm_confidence_valid(cells[3])))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("account_nps state {%g,%g,%g,%g} is not valid",
						cells[0], cells[1], cells[2], cells[3]),
				 errdetail("It needs a whole number of accounts, |sum| and the squared deviations at most that, and a confidence of 0 (not set) or in (0, 1).")));
	return cells;
}

/* The state to return: argument 0 changed in place inside an aggregate, else a copy. */
static ArrayType *
account_nps_result(FunctionCallInfo fcinfo, const abm_vote_moments *m, double confidence)
{
	Datum		cells[ACCOUNT_NPS_CELLS] = {
		Float8GetDatum(m->n), Float8GetDatum(m->sum), Float8GetDatum(m->sq_dev),
		Float8GetDatum(confidence)
	};

	if (AggCheckCallContext(fcinfo, NULL))
	{
		ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
		float8	   *c = ACCOUNT_NPS_DATA(a);

		c[0] = m->n;
		c[1] = m->sum;
		c[2] = m->sq_dev;
		c[3] = confidence;
		return a;
	}
	return construct_array(cells, ACCOUNT_NPS_CELLS, FLOAT8OID, sizeof(float8),
						   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/*
 * account_nps(state) and account_nps_margin(state[, confidence]) transition:
 * one account's nps_state is one vote; an account without answers has none.
 */
PG_FUNCTION_INFO_V1(account_nps_step);
Datum
account_nps_step(PG_FUNCTION_ARGS)
{
	abm_vote_moments m;
	float8	   *cells = account_nps_cells(fcinfo, 0, &m);
	double		confidence = cells[3];
	double		vote;

	if (PG_NARGS() > 2)
	{
		double		c;

		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("account_nps_margin: confidence is NULL"),
					 errhint("Use 0.95 for a 95%% margin of error.")));
		c = PG_GETARG_FLOAT8(2);
		abm_check_confidence(c);
		if (confidence != 0.0 && confidence != c)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the confidence of account_nps_margin must be the same for every row of a group")));
		confidence = c;
	}
	if (PG_ARGISNULL(1))
		vote = NAN;
	else
	{
		abm_nps_counts c = state_counts(fcinfo, 1);

		vote = abm_nps_vote(&c);
	}
	if (!isnan(vote))
		abm_vote_moments_add(&m, vote);
	PG_RETURN_ARRAYTYPE_P(account_nps_result(fcinfo, &m, confidence));
}

PG_FUNCTION_INFO_V1(account_nps_combine);
Datum
account_nps_combine(PG_FUNCTION_ARGS)
{
	abm_vote_moments a,
				b;
	float8	   *ca = account_nps_cells(fcinfo, 0, &a);
	float8	   *cb = account_nps_cells(fcinfo, 1, &b);
	double		confidence = ca[3] != 0.0 ? ca[3] : cb[3];

	if (ca[3] != 0.0 && cb[3] != 0.0 && ca[3] != cb[3])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the confidence of account_nps_margin must be the same for every row of a group")));
	abm_vote_moments_merge(&a, &b);
	PG_RETURN_ARRAYTYPE_P(account_nps_result(fcinfo, &a, confidence));
}

PG_FUNCTION_INFO_V1(account_nps_final);
Datum
account_nps_final(PG_FUNCTION_ARGS)
{
	abm_vote_moments m;

	(void) account_nps_cells(fcinfo, 0, &m);
	ABM_RETURN_FLOAT8_OR_NULL(abm_account_nps(&m));
}

PG_FUNCTION_INFO_V1(account_nps_margin_final);
Datum
account_nps_margin_final(PG_FUNCTION_ARGS)
{
	abm_vote_moments m;
	float8	   *cells = account_nps_cells(fcinfo, 0, &m);

	ABM_RETURN_FLOAT8_OR_NULL(abm_account_nps_margin(&m, cells[3] != 0.0 ? cells[3] : DEFAULT_CONFIDENCE));
}
