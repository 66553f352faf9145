/*
 * schedule_pg.c — SQL glue of the MRR timeline: the mrr_schedule type, its
 * aggregate over subscription periods, and mrr_months, which expands a
 * schedule to one row per month.  The arithmetic is in schedule.c.
 */
#include "abm_pg.h"

#include "access/htup_details.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "utils/date.h"
#include "utils/builtins.h"
#include "utils/datetime.h"

#include "money_pg.h"
#include "revenue.h"
#include "schedule.h"

ABM_STATE_TYPE(mrr_schedule, abm_schedule_schema);

/* The month number of a finite date: its own, or with `from` the first starting on or after it. */
int64
abm_month_of_date(DateADT d, bool from)
{
	int			year,
				month,
				day;

	j2date(d + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	return from ? abm_month_from(year, month, day) : abm_month_of(year, month);
}

DateADT
abm_date_of_month(int64 m)
{
	int			year,
				month;

	abm_month_parts(m, &year, &month);
	return date2j(year, month, 1) - POSTGRES_EPOCH_JDATE;
}

static void pg_attribute_noreturn()
bad_period(DateADT start, DateADT end, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("subscription period from %s to %s is not valid",
					DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(start))),
					DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(end)))),
			 errdetail("%s", detail),
			 errhint("A period is [start_date, end_date): the end is the first day not paid; NULL for open-ended.")));
}

/*
 * mrr_schedule(start_date, end_date, monthly_amount) transition: the period
 * adds +amount at its first paying month and -amount at the first month
 * after it.  A NULL start or amount is skipped; a NULL end is open-ended.
 */
static Datum schedule_step(FunctionCallInfo fcinfo, bool remove);

PG_FUNCTION_INFO_V1(schedule_add);
Datum
schedule_add(PG_FUNCTION_ARGS)
{
	return schedule_step(fcinfo, false);
}

/* The inverse: the period taken back out (sliding windows). */
PG_FUNCTION_INFO_V1(schedule_remove);
Datum
schedule_remove(PG_FUNCTION_ARGS)
{
	return schedule_step(fcinfo, true);
}

static Datum
schedule_step(FunctionCallInfo fcinfo, bool remove)
{
	DateADT		start,
				end = 0;
	bool		open = PG_ARGISNULL(2);
	abm_money	amount;
	AbmExpandedState *e;
	int64		first;
	abm_error	err;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(3))
		ABM_RETURN_STATE_UNCHANGED();
	start = PG_GETARG_DATEADT(1);
	if (!open)
		end = PG_GETARG_DATEADT(2);
	if (DATE_NOT_FINITE(start))
		bad_period(start, open ? start : end, "A period starts on a finite date.");
	if (!open && DATE_IS_NOBEGIN(end))
		bad_period(start, end, "A period ends on a finite date, or is open-ended (NULL or infinity).");
	if (!open && DATE_IS_NOEND(end))
		open = true;
	if (!open && end < start)
		bad_period(start, end, "The period ends before it starts.");
	abm_numeric_money(PG_GETARG_DATUM(3), "monthly amount", &amount);

	/* +amount at the first paying month, -amount at the first one after */
	e = abm_state_expanded_mutable(fcinfo, 0, &abm_schedule_schema);
	first = abm_month_of_date(start, true);
	if (!open && abm_month_of_date(end, true) <= first)
		PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));	/* no first day of a month in it */
	if (abm_rowset_add_money(&e->rows, first, NULL, &amount, remove ? -1 : 1, &err) != ABM_OK ||
		(!open && abm_rowset_add_money(&e->rows, abm_month_of_date(end, true), NULL, &amount,
									   remove ? 1 : -1, &err) != ABM_OK))
		abm_state_report(&err);
	PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
}

/* mrr_months(schedule, through): one row per month of the timeline. */
typedef struct MonthsContext
{
	abm_state	st;
	abm_schedule_iter it;
	TupleDesc	tupdesc;
} MonthsContext;

PG_FUNCTION_INFO_V1(schedule_months);
Datum
schedule_months(PG_FUNCTION_ARGS)
{
	FuncCallContext *fctx;
	MonthsContext *mc;
	abm_schedule_month m;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		DateADT		through;
		TupleDesc	tupdesc;

		fctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(fctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "mrr_months must return a composite type");
		mc = palloc0(sizeof(MonthsContext));
		mc->tupdesc = BlessTupleDesc(tupdesc);
		if (PG_ARGISNULL(0))
			abm_state_init(&mc->st, &abm_schedule_schema);	/* no schedule, no months */
		else
			abm_state_from_datum(PG_GETARG_DATUM(0), &abm_schedule_schema, &mc->st);
		through = PG_ARGISNULL(1) ? GetSQLCurrentDate() : PG_GETARG_DATEADT(1);
		if (DATE_NOT_FINITE(through))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("mrr_months through an infinite date"),
					 errhint("Pass the last day to report, e.g. current_date; an open-ended period runs to its month.")));
		abm_schedule_iter_init(&mc->it, &mc->st, abm_month_of_date(through, false));
		fctx->user_fctx = mc;
		MemoryContextSwitchTo(old);
	}
	fctx = SRF_PERCALL_SETUP();
	mc = fctx->user_fctx;
	if (abm_schedule_iter_next(&mc->it, &m))
	{
		Datum		values[5];
		bool		nulls[5] = {0};

		values[0] = DateADTGetDatum(abm_date_of_month(m.month));
		if (m.wide)
		{
			values[1] = abm_money_numeric(&m.mrr_money);
			values[2] = abm_money_numeric(&m.previous_money);
		}
		else
		{
			values[1] = abm_units_numeric(abm_units_get(m.mrr_units), mc->st.money_scale);
			values[2] = abm_units_numeric(abm_units_get(m.previous_units), mc->st.money_scale);
		}
		values[3] = CharGetDatum((char) m.movement);
		values[4] = BoolGetDatum(m.paid_before);
		SRF_RETURN_NEXT(fctx, HeapTupleGetDatum(heap_form_tuple(mc->tupdesc, values, nulls)));
	}
	SRF_RETURN_DONE(fctx);
}

/* The MRR of a schedule in the month of a date. */
PG_FUNCTION_INFO_V1(schedule_mrr_at);
Datum
schedule_mrr_at(PG_FUNCTION_ARGS)
{
	abm_state	st;
	abm_money	mrr,
				change;
	int64		month;
	uint32		r;

	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_schedule_schema, &st);
	if (DATE_NOT_FINITE(PG_GETARG_DATEADT(1)))
		PG_RETURN_NULL();
	month = abm_month_of_date(PG_GETARG_DATEADT(1), false);
	abm_money_zero(&mrr, st.money_scale);
	for (r = 0; r < st.nrows && st.rows[(size_t) r * abm_state_row_cells(&st)] <= month; r++)
	{
		abm_error	err;

		abm_state_row_money(&st, r, SCHEDULE_CHANGE, &change);
		if (abm_money_add(&mrr, &change, 1, &err) != ABM_OK)
			abm_state_report(&err);
	}
	PG_RETURN_DATUM(abm_money_numeric(&mrr));
}
