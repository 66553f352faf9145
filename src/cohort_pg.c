/*
 * cohort_pg.c — SQL glue of cohort retention: cohort_state, its aggregate
 * over customers' MRR schedules, and cohort_retention, which expands a
 * state to the rows of a cohort triangle.  The arithmetic is in cohort.c.
 */
#include "abm_pg.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"

#include "cohort.h"
#include "money_pg.h"
#include "schedule.h"

ABM_STATE_TYPE(cohort_state, abm_cohort_schema);

/* 1 for 'month', 3 for 'quarter'. */
static int
period_months(text *period)
{
	char	   *p = text_to_cstring(period);

	if (pg_strcasecmp(p, "month") == 0 || pg_strcasecmp(p, "monthly") == 0)
		return 1;
	if (pg_strcasecmp(p, "quarter") == 0 || pg_strcasecmp(p, "quarterly") == 0)
		return 3;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cohort period \"%s\" is not valid", p),
			 errhint("The period is 'month' or 'quarter'.")));
}

/* A setting of the group: the first row sets it, the others must agree. */
static void
same_setting(AbmExpandedState *e, int field, int64 value, const char *what)
{
	int64		cur = e->st.scalar[field];

	if (cur == ABM_UNSET)
		e->st.scalar[field] = value;
	else if (cur != value)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the cohort %s must be the same for every row of a group", what),
				 errhint("Compute cohorts of different periods or dates in separate groups.")));
}

/*
 * cohort_agg(schedule, through, period) transition: one customer's schedule
 * counted in its cohort; sign -1 takes it back out.  A NULL schedule is
 * skipped.
 */
static Datum
cohort_step(FunctionCallInfo fcinfo, int sign)
{
	AbmExpandedState *e;
	abm_state	schedule;
	DateADT		through;
	int			months;
	abm_error	err;

	if (PG_ARGISNULL(1))
		ABM_RETURN_STATE_UNCHANGED();
	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("cohort_agg needs a through date and a period"),
				 errhint("For example cohort_agg(schedule, date '2026-06-30', 'month').")));
	through = PG_GETARG_DATEADT(2);
	if (DATE_NOT_FINITE(through))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("cohorts through an infinite date"),
				 errhint("Pass the last day to count, e.g. current_date.")));
	months = period_months(PG_GETARG_TEXT_PP(3));
	e = abm_state_expanded_mutable(fcinfo, 0, &abm_cohort_schema);
	same_setting(e, COHORT_PERIOD_MONTHS, months, "period");
	same_setting(e, COHORT_THROUGH, abm_month_of_date(through, false), "through date");
	abm_state_from_datum(PG_GETARG_DATUM(1), &abm_schedule_schema, &schedule);
	if (abm_cohort_add_schedule(&e->rows, &schedule, months, e->st.scalar[COHORT_THROUGH], sign, &err) != ABM_OK)
		abm_state_report(&err);
	PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
}

PG_FUNCTION_INFO_V1(cohort_add);
Datum
cohort_add(PG_FUNCTION_ARGS)
{
	return cohort_step(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(cohort_remove);
Datum
cohort_remove(PG_FUNCTION_ARGS)
{
	return cohort_step(fcinfo, -1);
}

static void
put_row(Tuplestorestate *ts, TupleDesc desc, bool all, int64 cohort, int64 k, int64 customers,
		int64 retained, const abm_money *starting, const abm_money *mrr)
{
	Datum		values[8];
	bool		nulls[8] = {0};

	values[0] = DateADTGetDatum(abm_date_of_month(cohort));
	nulls[0] = all;
	values[1] = Int32GetDatum((int32) k);
	values[2] = Int64GetDatum(customers);
	values[3] = Int64GetDatum(retained);
	values[4] = abm_numeric_ratio(DirectFunctionCall1(int8_numeric, Int64GetDatum(retained)),
							  DirectFunctionCall1(int8_numeric, Int64GetDatum(customers)),
							  customers == 0, &nulls[4]);
	values[5] = abm_money_numeric(starting);
	values[6] = abm_money_numeric(mrr);
	values[7] = abm_numeric_ratio(values[6], values[5], abm_money_sign(starting) == 0, &nulls[7]);
	tuplestore_putvalues(ts, desc, values, nulls);
}

/*
 * cohort_retention(state): a row per cohort and period after it, then the
 * all-cohorts rows (cohort NULL): for each k, the sums over the cohorts
 * followed for k periods, so each cohort weighs by its customers and MRR.
 */
PG_FUNCTION_INFO_V1(cohort_state_retention);
Datum
cohort_state_retention(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	abm_state	st;
	size_t		stride;
	uint32		r;
	int64		maxk = -1,
				k;
	int64	   *customers,
			   *retained;
	abm_money  *starting,
			   *mrr;
	abm_error	err;

	InitMaterializedSRF(fcinfo, 0);
	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_cohort_schema, &st);
	stride = abm_state_row_cells(&st);
	for (r = 0; r < st.nrows; r++)
	{
		int64		cohort;

		abm_cohort_key_parts(st.rows[(size_t) r * stride], &cohort, &k);
		if (k > maxk)
			maxk = k;
	}
	customers = palloc0(sizeof(int64) * (maxk + 1));
	retained = palloc0(sizeof(int64) * (maxk + 1));
	starting = palloc(sizeof(abm_money) * (maxk + 1));
	mrr = palloc(sizeof(abm_money) * (maxk + 1));
	for (k = 0; k <= maxk; k++)
	{
		abm_money_zero(&starting[k], st.money_scale);
		abm_money_zero(&mrr[k], st.money_scale);
	}
	for (r = 0; r < st.nrows; r++)
	{
		const int64 *row = st.rows + (size_t) r * stride;
		int64		cohort;
		abm_money	s,
					m;

		abm_cohort_key_parts(row[COHORT_KEY], &cohort, &k);
		abm_state_row_money(&st, r, COHORT_STARTING, &s);
		abm_state_row_money(&st, r, COHORT_MRR, &m);
		put_row(rsinfo->setResult, rsinfo->setDesc, false, cohort, k, row[COHORT_CUSTOMERS],
				row[COHORT_RETAINED], &s, &m);
		if (pg_add_s64_overflow(customers[k], row[COHORT_CUSTOMERS], &customers[k]) ||
			pg_add_s64_overflow(retained[k], row[COHORT_RETAINED], &retained[k]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("cohort_state customers out of range")));
		if (abm_money_add(&starting[k], &s, 1, &err) != ABM_OK ||
			abm_money_add(&mrr[k], &m, 1, &err) != ABM_OK)
			abm_state_report(&err);
	}
	for (k = 0; k <= maxk; k++)
		if (customers[k] > 0)
			put_row(rsinfo->setResult, rsinfo->setDesc, true, 0, k, customers[k], retained[k],
					&starting[k], &mrr[k]);
	return (Datum) 0;
}
