/*
 * churn_pg.c — SQL glue of customer churn: churn_rate over lifetimes and a
 * period (an aggregate on churn_state), the founding documents' formula over
 * two counts, and converting a rate between period lengths.  The arithmetic
 * is in churn.c.
 */
#include "abm_pg.h"

#include <math.h>

#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/rangetypes.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "churn.h"

ABM_STATE_TYPE(churn_state, abm_churn_schema);

StaticAssertDecl(ABM_NATIVE_SCALARS + 4 * sizeof(int64) == 40, "churn_state transition: SSPACE = 40");
StaticAssertDecl(ABM_NATIVE_SCALARS + 2 * sizeof(int64) == 24, "repeat_purchase_state transition: SSPACE = 24");

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
	ABM_RETURN_FLOAT8_OR_NULL(rate);
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

/* ---- churn_rate(started, ended, period): the aggregate ---- */

/* A period [lo, hi) in microseconds, parsed once per distinct range value. */
typedef struct ChurnPeriodCache
{
	int64		lo;
	int64		hi;
	bool		constant;		/* the aggregate's argument is a constant */
	Size		len;
	char		bytes[FLEXIBLE_ARRAY_MEMBER];	/* the range value it came from */
} ChurnPeriodCache;

/*
 * Is argument argno of this aggregate call a constant, the same on every
 * row (daterange('2025-01-01', '2025-04-01') once planned)?  Then its
 * period is read once, not compared on every row.  Unknown (false) outside
 * a plain aggregate, e.g. in a window.
 */
static bool
period_is_constant(FunctionCallInfo fcinfo, int argno)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	TargetEntry *te;

	if (aggref == NULL || list_length(aggref->args) < argno)
		return false;
	te = list_nth_node(TargetEntry, aggref->args, argno - 1);
	return IsA(te->expr, Const);
}

static int64
date_usecs(DateADT d)
{
	return (int64) d * USECS_PER_DAY;
}

static void pg_attribute_noreturn()
bad_period(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("churn period %s", why),
			 errdetail("The period is a half-open range [start, end) with both ends finite, e.g. daterange('2025-01-01', '2025-04-01')."),
			 errhint("Churn counts the customers active at the period's start and, of them, those whose lifetime ended by its end.")));
}

/* The period in argument argno as [lo, hi) microseconds; is_date: a daterange. */
static ChurnPeriodCache *
period_arg(FunctionCallInfo fcinfo, int argno, bool is_date)
{
	ChurnPeriodCache *c = (ChurnPeriodCache *) fcinfo->flinfo->fn_extra;
	RangeType  *r;
	Size		len;
	TypeCacheEntry *typcache;
	RangeBound	lower,
				upper;
	bool		empty;

	if (c != NULL && c->constant)
		return c;
	r = PG_GETARG_RANGE_P(argno);
	len = VARSIZE(r);
	if (c != NULL && c->len == len && memcmp(c->bytes, r, len) == 0)
		return c;
	/* fn_extra holds this cache, so not range_get_typcache's */
	typcache = lookup_type_cache(RangeTypeGetOid(r), TYPECACHE_RANGE_INFO);
	if (typcache->rngelemtype == NULL)
		elog(ERROR, "type %u is not a range type", RangeTypeGetOid(r));
	range_deserialize(typcache, r, &lower, &upper, &empty);
	if (empty)
		bad_period("is empty");
	if (lower.infinite || upper.infinite)
		bad_period("is unbounded");
	if (!lower.inclusive || upper.inclusive)
		bad_period("must include its start and exclude its end");
	c = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, offsetof(ChurnPeriodCache, bytes) + len);
	if (is_date)
	{
		DateADT		lo = DatumGetDateADT(lower.val),
					hi = DatumGetDateADT(upper.val);

		if (DATE_NOT_FINITE(lo) || DATE_NOT_FINITE(hi))
			bad_period("is unbounded");
		c->lo = date_usecs(lo);
		c->hi = date_usecs(hi);
	}
	else
	{
		TimestampTz lo = DatumGetTimestampTz(lower.val),
					hi = DatumGetTimestampTz(upper.val);

		if (TIMESTAMP_NOT_FINITE(lo) || TIMESTAMP_NOT_FINITE(hi))
			bad_period("is unbounded");
		c->lo = lo;
		c->hi = hi;
	}
	c->len = len;
	c->constant = period_is_constant(fcinfo, argno);
	memcpy(c->bytes, r, len);
	if (fcinfo->flinfo->fn_extra != NULL)
		pfree(fcinfo->flinfo->fn_extra);
	fcinfo->flinfo->fn_extra = c;
	return c;
}

static char *
date_text(DateADT d)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d)));
}

static char *
timestamptz_text(TimestampTz t)
{
	return DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(t)));
}

/* One lifetime [started, ended) in microseconds, and the period it is counted in. */
typedef struct ChurnRow
{
	int64		started;
	bool		has_end;		/* false: still active */
	int64		ended;
	ChurnPeriodCache *period;
} ChurnRow;

/*
 * Argument argno, a date (is_date) or a timestamptz, in microseconds since
 * 2000-01-01; *infinite is -1 or 1 for -infinity and infinity, else 0.
 */
static pg_attribute_always_inline int64
bound_arg(FunctionCallInfo fcinfo, int argno, bool is_date, int *infinite)
{
	if (is_date)
	{
		DateADT		d = PG_GETARG_DATEADT(argno);

		*infinite = DATE_IS_NOBEGIN(d) ? -1 : DATE_IS_NOEND(d) ? 1 : 0;
		return date_usecs(d);
	}
	else
	{
		TimestampTz t = PG_GETARG_TIMESTAMPTZ(argno);

		*infinite = TIMESTAMP_IS_NOBEGIN(t) ? -1 : TIMESTAMP_IS_NOEND(t) ? 1 : 0;
		return t;
	}
}

/* Argument argno as text, for a message. */
static char *
bound_text(FunctionCallInfo fcinfo, int argno, bool is_date)
{
	return is_date ? date_text(PG_GETARG_DATEADT(argno)) : timestamptz_text(PG_GETARG_TIMESTAMPTZ(argno));
}

/*
 * The lifetime in arguments first (started), first + 1 (ended) and the
 * period in first + 2, validated.  False when the row is to be ignored: a
 * NULL start or period.  ended NULL or 'infinity': still active.
 */
static pg_attribute_always_inline bool
churn_row(FunctionCallInfo fcinfo, int first, bool is_date, ChurnRow *row)
{
	int			infinite;

	if (PG_ARGISNULL(first) || PG_ARGISNULL(first + 2))
		return false;
	row->started = bound_arg(fcinfo, first, is_date, &infinite);
	if (infinite != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("a lifetime cannot start at %s", bound_text(fcinfo, first, is_date))));
	row->has_end = !PG_ARGISNULL(first + 1);
	row->ended = row->has_end ? bound_arg(fcinfo, first + 1, is_date, &infinite) : 0;
	if (row->has_end && infinite > 0)
		row->has_end = false;	/* ended 'infinity': still active */
	if (row->has_end && (infinite < 0 || row->ended < row->started))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("a lifetime ends before it starts: ended %s is before started %s",
						bound_text(fcinfo, first + 1, is_date), bound_text(fcinfo, first, is_date)),
				 errhint("A lifetime is [started, ended); ended = started is an empty lifetime.")));
	row->period = period_arg(fcinfo, first + 2, is_date);
	return true;
}

/* Set the period of a state, or check it is the one it has. */
static void
churn_set_period(int64 *scalars, const ChurnPeriodCache *p)
{
	if (scalars[CHURN_PERIOD_START] == ABM_UNSET)
	{
		scalars[CHURN_PERIOD_START] = p->lo;
		scalars[CHURN_PERIOD_END] = p->hi;
	}
	else if (scalars[CHURN_PERIOD_START] != p->lo || scalars[CHURN_PERIOD_END] != p->hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the churn period must be the same for every row of a group"),
				 errhint("Group by the period, or compute one period per query.")));
}

/*
 * The per-row step of churn_rate(started, ended, period): classify one
 * lifetime in the period and count it (delta -1 takes it back out, for
 * sliding windows).
 */
static pg_attribute_always_inline Datum
churn_step(FunctionCallInfo fcinfo, bool is_date, int64 delta)
{
	ChurnRow	row;
	AbmStateDatum *s;
	int			active,
				churned;

	if (!churn_row(fcinfo, 1, is_date, &row))
		ABM_RETURN_STATE_UNCHANGED();
	abm_churn_classify(row.started, row.has_end, row.ended, row.period->lo, row.period->hi,
					   &active, &churned);
	s = abm_state_datum_owned(fcinfo, 0, &abm_churn_schema);
	if (s == NULL)
		s = abm_state_datum_mutable(fcinfo, 0, &abm_churn_schema, false);
	churn_set_period(s->scalar, row.period);
	abm_state_datum_count(s, &abm_churn_schema, CHURN_ACTIVE, active * delta);
	abm_state_datum_count(s, &abm_churn_schema, CHURN_CHURNED, churned * delta);
	PG_RETURN_POINTER(s);
}

static Datum
churn_date_step(FunctionCallInfo fcinfo, int64 delta)
{
	return churn_step(fcinfo, true, delta);
}

static Datum
churn_tstz_step(FunctionCallInfo fcinfo, int64 delta)
{
	return churn_step(fcinfo, false, delta);
}

/*
 * The per-row step of churn_rate(customer, started, ended, period): note
 * whether this subscription of the customer was active at the period's
 * start and at its end; the customer's row adds them up.
 */
static Datum
customer_churn_step(FunctionCallInfo fcinfo, bool is_date, int64 delta)
{
	ChurnRow	row;
	AbmExpandedState *e;
	int			at_start,
				churned;
	int64		deltas[2];
	abm_error	err;

	if (PG_ARGISNULL(1) || !churn_row(fcinfo, 2, is_date, &row))
		ABM_RETURN_STATE_UNCHANGED();
	abm_churn_classify(row.started, row.has_end, row.ended, row.period->lo, row.period->hi,
					   &at_start, &churned);
	e = abm_state_expanded_mutable(fcinfo, 0, &abm_customer_churn_schema);
	churn_set_period(e->st.scalar, row.period);
	deltas[0] = at_start * delta;
	deltas[1] = (row.started <= row.period->hi && (!row.has_end || row.ended > row.period->hi)) * delta;
	if ((deltas[0] != 0 || deltas[1] != 0) &&
		abm_rowset_add(&e->rows, PG_GETARG_INT64(1), deltas, &err) != ABM_OK)
		abm_state_report(&err);
	PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
}

PG_FUNCTION_INFO_V1(customer_churn_count_date);
Datum
customer_churn_count_date(PG_FUNCTION_ARGS)
{
	return customer_churn_step(fcinfo, true, 1);
}

PG_FUNCTION_INFO_V1(customer_churn_uncount_date);
Datum
customer_churn_uncount_date(PG_FUNCTION_ARGS)
{
	return customer_churn_step(fcinfo, true, -1);
}

PG_FUNCTION_INFO_V1(customer_churn_count_tstz);
Datum
customer_churn_count_tstz(PG_FUNCTION_ARGS)
{
	return customer_churn_step(fcinfo, false, 1);
}

PG_FUNCTION_INFO_V1(customer_churn_uncount_tstz);
Datum
customer_churn_uncount_tstz(PG_FUNCTION_ARGS)
{
	return customer_churn_step(fcinfo, false, -1);
}

PG_FUNCTION_INFO_V1(churn_count_date);
Datum
churn_count_date(PG_FUNCTION_ARGS)
{
	return churn_date_step(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(churn_uncount_date);
Datum
churn_uncount_date(PG_FUNCTION_ARGS)
{
	return churn_date_step(fcinfo, -1);
}

PG_FUNCTION_INFO_V1(churn_count_tstz);
Datum
churn_count_tstz(PG_FUNCTION_ARGS)
{
	return churn_tstz_step(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(churn_uncount_tstz);
Datum
churn_uncount_tstz(PG_FUNCTION_ARGS)
{
	return churn_tstz_step(fcinfo, -1);
}

/* ---- readers of a churn_state ---- */

PG_FUNCTION_INFO_V1(churn_state_rate);
Datum
churn_state_rate(PG_FUNCTION_ARGS)
{
	abm_state	s;
	double		rate;

	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_churn_schema, &s);
	rate = abm_churn_rate_of(&s);
	ABM_RETURN_FLOAT8_OR_NULL(rate);
}

ABM_STATE_SCALAR(churn_state_active, abm_churn_schema, CHURN_ACTIVE);
ABM_STATE_SCALAR(churn_state_churned, abm_churn_schema, CHURN_CHURNED);

/* ---- readers of a customer_churn_state ---- */

ABM_STATE_TYPE(customer_churn_state, abm_customer_churn_schema);

static void
customer_counts(FunctionCallInfo fcinfo, int64 *active, int64 *churned)
{
	abm_state	s;

	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_customer_churn_schema, &s);
	abm_customer_churn_counts(&s, active, churned);
}

PG_FUNCTION_INFO_V1(customer_churn_state_rate);
Datum
customer_churn_state_rate(PG_FUNCTION_ARGS)
{
	int64		active,
				churned;

	customer_counts(fcinfo, &active, &churned);
	if (active == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) churned / (double) active);
}

PG_FUNCTION_INFO_V1(customer_churn_state_active);
Datum
customer_churn_state_active(PG_FUNCTION_ARGS)
{
	int64		active,
				churned;

	customer_counts(fcinfo, &active, &churned);
	PG_RETURN_INT64(active);
}

PG_FUNCTION_INFO_V1(customer_churn_state_churned);
Datum
customer_churn_state_churned(PG_FUNCTION_ARGS)
{
	int64		active,
				churned;

	customer_counts(fcinfo, &active, &churned);
	PG_RETURN_INT64(churned);
}

/* ---- repeat purchase rate ---- */

ABM_STATE_TYPE(repeat_purchase_state, abm_repeat_purchase_schema);

/*
 * One customer with its number of purchases: counted as a customer, and as
 * a repeat customer with two or more.  A NULL count is ignored.
 */
static pg_attribute_always_inline Datum
repeat_step(FunctionCallInfo fcinfo, int64 purchases, int64 delta)
{
	if (unlikely(purchases < 0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("purchase count %lld is negative", (long long) purchases),
				 errhint("The argument is a customer's number of purchases, e.g. count(*) over its orders.")));
	return abm_agg_count_step(fcinfo, &abm_repeat_purchase_schema, REPEAT_CUSTOMERS, REPEAT_REPEATERS,
							  purchases >= 2, delta);
}

#define REPEAT_TRANSITION(fname, getter, delta) \
	PG_FUNCTION_INFO_V1(fname); \
	Datum fname(PG_FUNCTION_ARGS) \
	{ \
		if (PG_ARGISNULL(1)) \
			ABM_RETURN_STATE_UNCHANGED(); \
		return repeat_step(fcinfo, getter(1), delta); \
	}

REPEAT_TRANSITION(repeat_count_int4, PG_GETARG_INT32, 1)
REPEAT_TRANSITION(repeat_count_int8, PG_GETARG_INT64, 1)
REPEAT_TRANSITION(repeat_uncount_int4, PG_GETARG_INT32, -1)
REPEAT_TRANSITION(repeat_uncount_int8, PG_GETARG_INT64, -1)

PG_FUNCTION_INFO_V1(repeat_purchase_state_rate);
Datum
repeat_purchase_state_rate(PG_FUNCTION_ARGS)
{
	abm_state	s;
	double		rate;

	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_repeat_purchase_schema, &s);
	rate = abm_repeat_purchase_rate_of(&s);
	ABM_RETURN_FLOAT8_OR_NULL(rate);
}

ABM_STATE_SCALAR(repeat_purchase_state_customers, abm_repeat_purchase_schema, REPEAT_CUSTOMERS);
ABM_STATE_SCALAR(repeat_purchase_state_repeaters, abm_repeat_purchase_schema, REPEAT_REPEATERS);
