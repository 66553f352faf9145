/*
 * revenue_pg.c — SQL glue of revenue retention: mrr_movement, revenue_state
 * and its aggregates (revenue_agg, mrr_bridge, nrr, grr), and the
 * accessors.  The arithmetic is in revenue.c and money.c; numeric in and
 * out in money_pg.c.
 */
#include "abm_pg.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "money.h"
#include "money_pg.h"
#include "revenue.h"

ABM_ENUM_TYPE(mrr_movement, abm_mrr_movement_enum);
ABM_STATE_TYPE(revenue_state, abm_revenue_schema);

/* The native datum of a revenue_state with 128-bit amounts (the common case). */
#define REVENUE_WORD_CELL REVENUE_NCOUNTS	/* the money word, after the counts */
#define REVENUE_AMOUNT_CELL(j) (REVENUE_NCOUNTS + 1 + 2 * (j))
#define REVENUE_NARROW_BYTES (ABM_NATIVE_SCALARS + 8 * (REVENUE_NCOUNTS + 1 + 2 * REVENUE_NMONEY))
StaticAssertDecl(REVENUE_NARROW_BYTES == 168, "revenue_state transition: SSPACE = 168");

/* ---- mrr_movement(previous, current, paid_before) ---- */

PG_FUNCTION_INFO_V1(mrr_movement_of);
Datum
mrr_movement_of(PG_FUNCTION_ARGS)
{
	abm_money	previous,
				current;

	abm_numeric_money(PG_GETARG_DATUM(0), "previous MRR", &previous);
	abm_numeric_money(PG_GETARG_DATUM(1), "current MRR", &current);
	PG_RETURN_CHAR(abm_mrr_movement_of(abm_money_sign(&previous) > 0, abm_money_sign(&current) > 0,
									   abm_money_cmp(&current, &previous), PG_GETARG_BOOL(2)));
}

/* ---- the aggregates' step ---- */

static inline void
load_i128(const int64 *cells, __int128 *v)
{
	memcpy(v, cells, sizeof(*v));
}

static inline void
store_i128(int64 *cells, __int128 v)
{
	memcpy(cells, &v, sizeof(v));
}

/* Add v to a 128-bit amount of the datum; false when the sum would need more bits. */
static pg_attribute_always_inline bool
add_amount(AbmStateDatum *s, int j, __int128 v)
{
	__int128	x;

	load_i128(&s->scalar[REVENUE_AMOUNT_CELL(j)], &x);
	if (__builtin_add_overflow(x, v, &x))
		return false;
	store_i128(&s->scalar[REVENUE_AMOUNT_CELL(j)], x);
	return true;
}

/*
 * One account on a datum with 128-bit amounts, at the state's scale:
 * false, with the datum unchanged, when the amounts need the general path.
 */
static pg_attribute_always_inline bool
narrow_step(AbmStateDatum *s, __int128 p, __int128 c, int paid_before)
{
	int			movement = abm_mrr_movement_of(p > 0, c > 0, (c > p) - (c < p), paid_before);
	int			counted = -1,
				j = -1;
	__int128	v = 0,
				check;

	switch (movement)
	{
		case ABM_MOVEMENT_NEW:
			counted = REVENUE_NEW_ACCOUNTS, j = REVENUE_NEW, v = c;
			break;
		case ABM_MOVEMENT_REACTIVATION:
			counted = REVENUE_REACTIVATED_ACCOUNTS, j = REVENUE_REACTIVATION, v = c;
			break;
		case ABM_MOVEMENT_EXPANSION:
			counted = REVENUE_EXPANDED_ACCOUNTS, j = REVENUE_EXPANSION, v = c - p;
			break;
		case ABM_MOVEMENT_CONTRACTION:
			counted = REVENUE_CONTRACTED_ACCOUNTS, j = REVENUE_CONTRACTION, v = p - c;
			break;
		case ABM_MOVEMENT_CHURN:
			counted = REVENUE_CHURNED_ACCOUNTS, j = REVENUE_CHURN, v = p;
			break;
		default:
			if (p > 0)
				counted = REVENUE_FLAT_ACCOUNTS;
			break;
	}
	/* both sums must fit before either changes */
	if (p > 0)
	{
		load_i128(&s->scalar[REVENUE_AMOUNT_CELL(0)], &check);
		if (__builtin_add_overflow(check, p, &check))
			return false;
	}
	if (j >= 0)
	{
		load_i128(&s->scalar[REVENUE_AMOUNT_CELL(j - REVENUE_STARTING)], &check);
		if (__builtin_add_overflow(check, v, &check))
			return false;
	}
	if (p > 0)
	{
		add_amount(s, 0, p);
		abm_state_datum_count(s, &abm_revenue_schema, REVENUE_STARTING_ACCOUNTS, 1);
	}
	if (j >= 0)
		add_amount(s, j - REVENUE_STARTING, v);
	if (counted >= 0)
		abm_state_datum_count(s, &abm_revenue_schema, counted, 1);
	return true;
}

/* units * 10^k, if it fits 128 bits (k = 0, inputs at the state's scale, is the usual case). */
static pg_attribute_always_inline bool
at_scale(__int128 *units, int k)
{
	if (likely(k == 0))
		return true;
	return k <= 38 && !__builtin_mul_overflow(*units, abm_pow10_i128(k), units);
}

/*
 * revenue_agg / mrr_bridge / nrr / grr transition: (state, previous,
 * current[, paid_before]); sign -1 takes the account back out (the moving
 * aggregate's inverse).  A row with a NULL amount is skipped; a NULL
 * paid_before is false.
 */
/*
 * The general path of revenue_step: any scale and width, and the inverse.
 * Out of line, so that the per-row path keeps a small stack frame (its
 * states and amounts take kilobytes).
 */
static pg_noinline Datum
revenue_step_general(FunctionCallInfo fcinfo, int sign, int paid_before)
{
	abm_state	st;
	abm_money	pm,
				cm;
	abm_error	err;

	abm_numeric_money(PG_GETARG_DATUM(1), "previous MRR", &pm);
	abm_numeric_money(PG_GETARG_DATUM(2), "current MRR", &cm);
	if (PG_ARGISNULL(0))
		abm_state_init(&st, &abm_revenue_schema);
	else
		abm_state_from_datum(PG_GETARG_DATUM(0), &abm_revenue_schema, &st);
	if (abm_revenue_add(&st, &pm, &cm, paid_before, sign, &err) != ABM_OK ||
		abm_state_validate(&st, &err) != ABM_OK)
		abm_state_report(&err);
	return abm_state_to_datum(&st);
}

static Datum
revenue_step(FunctionCallInfo fcinfo, int sign)
{
	AbmStateDatum *s;
	__int128	p,
				c;
	int			ps,
				cs,
				paid_before;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ABM_RETURN_STATE_UNCHANGED();
	paid_before = PG_NARGS() > 3 && !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);

	s = abm_state_datum_owned(fcinfo, 0, &abm_revenue_schema);
	if (likely(sign > 0) &&
		abm_numeric_units(PG_GETARG_DATUM(1), "previous MRR", &p, &ps) &&
		abm_numeric_units(PG_GETARG_DATUM(2), "current MRR", &c, &cs))
	{
		uint64		word;
		int			scale;

		if (unlikely(s == NULL))
			s = abm_state_datum_mutable(fcinfo, 0, &abm_revenue_schema, false);
		memcpy(&word, &s->scalar[REVENUE_WORD_CELL], sizeof(word));
		scale = (int) (word & 0xffff);
		if (likely(VARSIZE(s) == REVENUE_NARROW_BYTES && ps <= scale && cs <= scale &&
				   at_scale(&p, scale - ps) && at_scale(&c, scale - cs) &&
				   narrow_step(s, p, c, paid_before)))
			PG_RETURN_POINTER(s);
	}

	/* a new scale, a wide amount, or the inverse */
	return revenue_step_general(fcinfo, sign, paid_before);
}

PG_FUNCTION_INFO_V1(revenue_count);
Datum
revenue_count(PG_FUNCTION_ARGS)
{
	return revenue_step(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(revenue_uncount);
Datum
revenue_uncount(PG_FUNCTION_ARGS)
{
	return revenue_step(fcinfo, -1);
}

/* ---- accessors ---- */

static void
state_arg(FunctionCallInfo fcinfo, abm_state *st)
{
	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_revenue_schema, st);
}

static Datum
field_numeric(const abm_state *st, int field)
{
	abm_money	m;

	abm_state_get_money(st, field, &m);
	return abm_money_numeric(&m);
}

#define REVENUE_AMOUNT(fname, field) \
	PG_FUNCTION_INFO_V1(fname); \
	Datum fname(PG_FUNCTION_ARGS) \
	{ \
		abm_state	st_; \
		state_arg(fcinfo, &st_); \
		PG_RETURN_DATUM(field_numeric(&st_, field)); \
	} \
	extern int no_such_variable

REVENUE_AMOUNT(revenue_state_starting, REVENUE_STARTING);
REVENUE_AMOUNT(revenue_state_new, REVENUE_NEW);
REVENUE_AMOUNT(revenue_state_reactivation, REVENUE_REACTIVATION);
REVENUE_AMOUNT(revenue_state_expansion, REVENUE_EXPANSION);
REVENUE_AMOUNT(revenue_state_contraction, REVENUE_CONTRACTION);
REVENUE_AMOUNT(revenue_state_churn, REVENUE_CHURN);

typedef abm_status (*derived_amount) (const abm_state *s, abm_money *out, abm_error *err);

static Datum
derived_numeric(const abm_state *st, derived_amount f)
{
	abm_money	m;
	abm_error	err;

	if (f(st, &m, &err) != ABM_OK)
		abm_state_report(&err);
	return abm_money_numeric(&m);
}

PG_FUNCTION_INFO_V1(revenue_state_ending);
Datum
revenue_state_ending(PG_FUNCTION_ARGS)
{
	abm_state	st;

	state_arg(fcinfo, &st);
	PG_RETURN_DATUM(derived_numeric(&st, abm_revenue_ending));
}

/* ARR: 12 x ending MRR. */
PG_FUNCTION_INFO_V1(revenue_state_arr);
Datum
revenue_state_arr(PG_FUNCTION_ARGS)
{
	abm_state	st;

	state_arg(fcinfo, &st);
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_mul, derived_numeric(&st, abm_revenue_ending),
										DirectFunctionCall1(int4_numeric, Int32GetDatum(12))));
}

/* num / den as numeric, NULL when den is zero. */
#define RETURN_RATIO(num, den, den_zero) \
	do { \
		Datum		r_ = abm_numeric_ratio((num), (den), (den_zero), &fcinfo->isnull); \
		PG_RETURN_DATUM(r_); \
	} while (0)

static bool
amount_is_zero(const abm_state *st, int field)
{
	abm_money	m;

	abm_state_get_money(st, field, &m);
	return abm_money_sign(&m) == 0;
}

/*
 * An amount of the starting cohort over its start MRR, or with `complement`
 * 1 minus that (revenue churn); NULL without a cohort.
 */
static Datum
cohort_ratio_or_complement(FunctionCallInfo fcinfo, derived_amount numerator, bool complement)
{
	abm_state	st;
	Datum		r;

	state_arg(fcinfo, &st);
	r = abm_numeric_ratio(derived_numeric(&st, numerator), field_numeric(&st, REVENUE_STARTING),
						  amount_is_zero(&st, REVENUE_STARTING), &fcinfo->isnull);
	if (fcinfo->isnull || !complement)
		return r;
	return DirectFunctionCall2(numeric_sub, DirectFunctionCall1(int4_numeric, Int32GetDatum(1)), r);
}

static Datum
cohort_ratio(FunctionCallInfo fcinfo, derived_amount numerator)
{
	return cohort_ratio_or_complement(fcinfo, numerator, false);
}

/* NRR: the cohort's end MRR over its start MRR. */
PG_FUNCTION_INFO_V1(revenue_state_nrr);
Datum
revenue_state_nrr(PG_FUNCTION_ARGS)
{
	return cohort_ratio(fcinfo, abm_revenue_cohort_end);
}

/* GRR: what the cohort kept of its start MRR (no expansion) over it. */
PG_FUNCTION_INFO_V1(revenue_state_grr);
Datum
revenue_state_grr(PG_FUNCTION_ARGS)
{
	return cohort_ratio(fcinfo, abm_revenue_retained);
}

/* Gross revenue churn: 1 - GRR, what the cohort lost to contraction and churn. */
PG_FUNCTION_INFO_V1(revenue_state_gross_churn);
Datum
revenue_state_gross_churn(PG_FUNCTION_ARGS)
{
	return cohort_ratio_or_complement(fcinfo, abm_revenue_retained, true);
}

/* Net revenue churn: 1 - NRR, with the cohort's expansion set against its losses. */
PG_FUNCTION_INFO_V1(revenue_state_net_churn);
Datum
revenue_state_net_churn(PG_FUNCTION_ARGS)
{
	return cohort_ratio_or_complement(fcinfo, abm_revenue_cohort_end, true);
}

/* Quick ratio: (new + reactivation + expansion) / (contraction + churn). */
PG_FUNCTION_INFO_V1(revenue_state_quick_ratio);
Datum
revenue_state_quick_ratio(PG_FUNCTION_ARGS)
{
	abm_state	st;
	abm_money	gained,
				lost,
				m;
	abm_error	err;

	state_arg(fcinfo, &st);
	abm_state_get_money(&st, REVENUE_NEW, &gained);
	abm_state_get_money(&st, REVENUE_REACTIVATION, &m);
	if (abm_money_add(&gained, &m, 1, &err) != ABM_OK)
		abm_state_report(&err);
	abm_state_get_money(&st, REVENUE_EXPANSION, &m);
	if (abm_money_add(&gained, &m, 1, &err) != ABM_OK)
		abm_state_report(&err);
	abm_state_get_money(&st, REVENUE_CONTRACTION, &lost);
	abm_state_get_money(&st, REVENUE_CHURN, &m);
	if (abm_money_add(&lost, &m, 1, &err) != ABM_OK)
		abm_state_report(&err);
	RETURN_RATIO(abm_money_numeric(&gained), abm_money_numeric(&lost), abm_money_sign(&lost) == 0);
}

/* ARPA: ending MRR per paying account at the end; NULL with none. */
PG_FUNCTION_INFO_V1(revenue_state_arpa);
Datum
revenue_state_arpa(PG_FUNCTION_ARGS)
{
	abm_state	st;
	int64		accounts;

	state_arg(fcinfo, &st);
	accounts = abm_revenue_ending_accounts(&st);
	RETURN_RATIO(derived_numeric(&st, abm_revenue_ending),
				 DirectFunctionCall1(int8_numeric, Int64GetDatum(accounts)), accounts == 0);
}

ABM_STATE_SCALAR(revenue_state_starting_accounts, abm_revenue_schema, REVENUE_STARTING_ACCOUNTS);
ABM_STATE_SCALAR(revenue_state_new_accounts, abm_revenue_schema, REVENUE_NEW_ACCOUNTS);
ABM_STATE_SCALAR(revenue_state_reactivated_accounts, abm_revenue_schema, REVENUE_REACTIVATED_ACCOUNTS);
ABM_STATE_SCALAR(revenue_state_expanded_accounts, abm_revenue_schema, REVENUE_EXPANDED_ACCOUNTS);
ABM_STATE_SCALAR(revenue_state_contracted_accounts, abm_revenue_schema, REVENUE_CONTRACTED_ACCOUNTS);
ABM_STATE_SCALAR(revenue_state_churned_accounts, abm_revenue_schema, REVENUE_CHURNED_ACCOUNTS);
ABM_STATE_SCALAR(revenue_state_flat_accounts, abm_revenue_schema, REVENUE_FLAT_ACCOUNTS);

PG_FUNCTION_INFO_V1(revenue_state_ending_accounts);
Datum
revenue_state_ending_accounts(PG_FUNCTION_ARGS)
{
	abm_state	st;

	state_arg(fcinfo, &st);
	PG_RETURN_INT64(abm_revenue_ending_accounts(&st));
}

/*
 * mrr_bridge(state): the composite (starting, new, reactivation, expansion,
 * contraction, churn, ending, then the accounts of each).
 */
PG_FUNCTION_INFO_V1(revenue_state_bridge);
Datum
revenue_state_bridge(PG_FUNCTION_ARGS)
{
	static const int amounts[] = {REVENUE_STARTING, REVENUE_NEW, REVENUE_REACTIVATION,
	REVENUE_EXPANSION, REVENUE_CONTRACTION, REVENUE_CHURN};
	static const int counts[] = {REVENUE_STARTING_ACCOUNTS, REVENUE_NEW_ACCOUNTS,
		REVENUE_REACTIVATED_ACCOUNTS, REVENUE_EXPANDED_ACCOUNTS, REVENUE_CONTRACTED_ACCOUNTS,
	REVENUE_CHURNED_ACCOUNTS, REVENUE_FLAT_ACCOUNTS};
	TupleDesc	tupdesc;
	Datum		values[16];
	bool		nulls[16] = {0};
	abm_state	st;
	int			i,
				n = 0;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "mrr_bridge must return a composite type");
	tupdesc = BlessTupleDesc(tupdesc);
	state_arg(fcinfo, &st);
	for (i = 0; i < 6; i++)
		values[n++] = field_numeric(&st, amounts[i]);
	values[n++] = derived_numeric(&st, abm_revenue_ending);
	for (i = 0; i < 7; i++)
		values[n++] = Int64GetDatum(st.scalar[counts[i]]);
	values[n++] = Int64GetDatum(abm_revenue_ending_accounts(&st));
	if (tupdesc->natts != n)
		elog(ERROR, "mrr_bridge has %d columns, expected %d", tupdesc->natts, n);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---- revenue scalars ---- */

static Datum
int_numeric(int v)
{
	return DirectFunctionCall1(int4_numeric, Int32GetDatum(v));
}

/* A finite numeric argument in [lo, hi] (hi < lo: no upper bound), else 22003 naming it. */
static Datum
checked_arg(FunctionCallInfo fcinfo, int argno, const char *name, int lo, int hi)
{
	Numeric		v = PG_GETARG_NUMERIC(argno);
	Datum		d = NumericGetDatum(v);

	if (numeric_is_nan(v) || numeric_is_inf(v) ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, d, int_numeric(lo))) < 0 ||
		(hi >= lo && DatumGetInt32(DirectFunctionCall2(numeric_cmp, d, int_numeric(hi))) > 0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s %s is out of range", name, DatumGetCString(DirectFunctionCall1(numeric_out, d))),
				 hi >= lo ? errdetail("%s is a fraction from %d to %d.", name, lo, hi)
				 : errdetail("%s is a finite amount of %d or more.", name, lo),
				 errhint("Rates and margins are fractions: 0.05 for 5%%.")));
	return d;
}

static bool
numeric_zero(Datum d)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, d, int_numeric(0))) == 0;
}

/* (MRR lost - new MRR gained) / MRR at start. */
PG_FUNCTION_INFO_V1(revenue_churn_amounts);
Datum
revenue_churn_amounts(PG_FUNCTION_ARGS)
{
	Datum		lost = checked_arg(fcinfo, 0, "mrr_lost", 0, -1);
	Datum		gained = checked_arg(fcinfo, 1, "mrr_gained", 0, -1);
	Datum		start = checked_arg(fcinfo, 2, "mrr_at_start", 0, -1);

	if (numeric_zero(start))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div, DirectFunctionCall2(numeric_sub, lost, gained), start));
}

/* ARPA x gross margin / churn rate. */
PG_FUNCTION_INFO_V1(clv_simple);
Datum
clv_simple(PG_FUNCTION_ARGS)
{
	Datum		arpa = checked_arg(fcinfo, 0, "arpa", 0, -1);
	Datum		margin = checked_arg(fcinfo, 1, "gross_margin", 0, 1);
	Datum		churn = checked_arg(fcinfo, 2, "churn_rate", 0, 1);

	if (numeric_zero(churn))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div, DirectFunctionCall2(numeric_mul, arpa, margin), churn));
}

/* ARPA x gross margin x r / (1 + d - r), r = 1 - churn: the denominator is d + churn. */
PG_FUNCTION_INFO_V1(clv_discounted);
Datum
clv_discounted(PG_FUNCTION_ARGS)
{
	Datum		arpa = checked_arg(fcinfo, 0, "arpa", 0, -1);
	Datum		margin = checked_arg(fcinfo, 1, "gross_margin", 0, 1);
	Datum		churn = checked_arg(fcinfo, 2, "churn_rate", 0, 1);
	Datum		discount = checked_arg(fcinfo, 3, "discount_rate", 0, -1);
	Datum		retention = DirectFunctionCall2(numeric_sub, int_numeric(1), churn);
	Datum		den = DirectFunctionCall2(numeric_add, discount, churn);

	if (numeric_zero(den))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div,
										DirectFunctionCall2(numeric_mul,
															DirectFunctionCall2(numeric_mul, arpa, margin),
															retention),
										den));
}

/* CAC / (ARPA x gross margin), in months when ARPA is monthly. */
PG_FUNCTION_INFO_V1(cac_payback);
Datum
cac_payback(PG_FUNCTION_ARGS)
{
	Datum		cac = checked_arg(fcinfo, 0, "cac", 0, -1);
	Datum		arpa = checked_arg(fcinfo, 1, "arpa", 0, -1);
	Datum		margin = checked_arg(fcinfo, 2, "gross_margin", 0, 1);
	Datum		per_month = DirectFunctionCall2(numeric_mul, arpa, margin);

	if (numeric_zero(per_month))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div, cac, per_month));
}
