/*
 * funnel_pg.c — SQL glue of the funnel: funnel_state and its aggregate over
 * accounts' furthest stages, the funnel rows and conversions; stage_path
 * over a stage history, time_in_stage_state over paths, and their rows.
 * The arithmetic is in funnel.c.
 */
#include "abm_pg.h"

#include <math.h>

#include "common/int.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/timestamp.h"

#include "funnel.h"
#include "label_enum.h"
#include "stats.h"

ABM_STATE_TYPE(funnel_state, abm_funnel_schema);
ABM_STATE_TYPE(stage_path, abm_stage_path_schema);
ABM_STATE_TYPE(time_in_stage_state, abm_time_in_stage_schema);

StaticAssertDecl(ABM_NATIVE_SCALARS + (ABM_FUNNEL_STEPS + 2) * sizeof(int64) == 96,
				 "funnel_state transition: SSPACE = 96");
StaticAssertDecl(ABM_NATIVE_SCALARS + (1 + ABM_LIFECYCLE_STAGES) * sizeof(int64) == 96,
				 "stage_path transition: SSPACE = 96");

/*
 * Position of a lifecycle_stage datum: target = 0 .. churned = 9.  A table
 * of the 256 bytes, built on first use, so the per-row step is one load.
 */
static int
stage_position(Datum stage)
{
	static int8 position[256];
	static bool built = false;
	uint8		code = (uint8) DatumGetChar(stage);

	if (unlikely(!built))
	{
		for (int c = 0; c < 256; c++)
			position[c] = (int8) abm_enum_index(&abm_lifecycle_stage_enum, c);
		built = true;
	}
	if (unlikely(position[code] < 0))
		(void) abm_enum_label_of(&abm_lifecycle_stage_enum, stage);	/* reports the bad byte */
	return position[code];
}

/* ---- funnel_state ---- */

/*
 * funnel_agg(stage[, churned]) transition: one account at its furthest
 * stage; 'churned' as the stage places it nowhere (its path is unknown),
 * the flag counts a placed account among the churned too.  A NULL stage is
 * ignored; a NULL flag is false.
 */
static Datum
funnel_step(FunctionCallInfo fcinfo, int64 delta)
{
	int			pos;
	bool		churned;

	if (PG_ARGISNULL(1))
		ABM_RETURN_STATE_UNCHANGED();
	pos = stage_position(PG_GETARG_DATUM(1));
	if (pos == ABM_FUNNEL_CHURNED)
		return abm_agg_count_step(fcinfo, &abm_funnel_schema, FUNNEL_CHURNED_UNPLACED, -1, 0, delta);
	churned = PG_NARGS() > 2 && !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	return abm_agg_count_step(fcinfo, &abm_funnel_schema, pos, FUNNEL_CHURNED, churned, delta);
}

PG_FUNCTION_INFO_V1(funnel_count);
Datum
funnel_count(PG_FUNCTION_ARGS)
{
	return funnel_step(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(funnel_uncount);
Datum
funnel_uncount(PG_FUNCTION_ARGS)
{
	return funnel_step(fcinfo, -1);
}

/* The funnel_state in argument argno, decoded and validated. */
static void
funnel_of(FunctionCallInfo fcinfo, int argno, abm_state *s)
{
	abm_state_from_datum(PG_GETARG_DATUM(argno), &abm_funnel_schema, s);
}

/* Accounts that reached a stage; churned: every account that churned. */
static int64
reached_at(const abm_state *s, int pos)
{
	if (pos == ABM_FUNNEL_CHURNED)
		return s->scalar[FUNNEL_CHURNED] + s->scalar[FUNNEL_CHURNED_UNPLACED];
	return abm_funnel_reached(s, pos);
}

/*
 * funnel_stages(state, confidence) → a row per stage: reached, stopped
 * there, conversion from the previous stage with its Wilson interval, and
 * from the first stage.  The churned row has the accounts that churned and
 * no conversions: churned is not a step of the funnel.
 */
PG_FUNCTION_INFO_V1(funnel_state_stages);
Datum
funnel_state_stages(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		confidence = PG_GETARG_FLOAT8(1);
	abm_state	s;
	int64		first;

	abm_check_confidence(confidence);
	funnel_of(fcinfo, 0, &s);
	InitMaterializedSRF(fcinfo, 0);
	first = reached_at(&s, 0);
	for (int pos = 0; pos < ABM_LIFECYCLE_STAGES; pos++)
	{
		Datum		values[7];
		bool		nulls[7] = {false, false, false, true, true, true, true};
		int64		reached = reached_at(&s, pos);

		values[0] = CharGetDatum((char) abm_lifecycle_stage_enum.labels[pos].code);
		values[1] = Int64GetDatum(reached);
		values[2] = Int64GetDatum(pos == ABM_FUNNEL_CHURNED ? s.scalar[FUNNEL_CHURNED_UNPLACED] : s.scalar[pos]);
		if (pos > 0 && pos < ABM_FUNNEL_CHURNED)
		{
			int64		previous = reached_at(&s, pos - 1);
			double		lower,
						upper;

			if (previous > 0)
			{
				values[3] = Float8GetDatum((double) reached / (double) previous);
				abm_wilson_interval((double) reached, (double) previous, confidence, &lower, &upper);
				values[4] = Float8GetDatum(lower);
				values[5] = Float8GetDatum(upper);
				nulls[3] = nulls[4] = nulls[5] = false;
			}
		}
		if (pos < ABM_FUNNEL_CHURNED && first > 0)
		{
			values[6] = Float8GetDatum((double) reached / (double) first);
			nulls[6] = false;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(funnel_state_reached);
Datum
funnel_state_reached(PG_FUNCTION_ARGS)
{
	abm_state	s;

	funnel_of(fcinfo, 0, &s);
	PG_RETURN_INT64(reached_at(&s, stage_position(PG_GETARG_DATUM(1))));
}

/* The two step positions of conversion(state, from, to): steps, from <= to. */
static void
conversion_steps(FunctionCallInfo fcinfo, int *from, int *to)
{
	*from = stage_position(PG_GETARG_DATUM(1));
	*to = stage_position(PG_GETARG_DATUM(2));
	if (*from == ABM_FUNNEL_CHURNED || *to == ABM_FUNNEL_CHURNED || *from > *to)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no funnel conversion from %s to %s",
						abm_enum_label_of(&abm_lifecycle_stage_enum, PG_GETARG_DATUM(1))->name,
						abm_enum_label_of(&abm_lifecycle_stage_enum, PG_GETARG_DATUM(2))->name),
				 errdetail("A conversion goes from a stage to the same or a later one, target through advocate; churned is not a step of the funnel.")));
}

PG_FUNCTION_INFO_V1(funnel_state_conversion);
Datum
funnel_state_conversion(PG_FUNCTION_ARGS)
{
	abm_state	s;
	int			from,
				to;
	int64		base;

	conversion_steps(fcinfo, &from, &to);
	funnel_of(fcinfo, 0, &s);
	base = reached_at(&s, from);
	if (base == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) reached_at(&s, to) / (double) base);
}

PG_FUNCTION_INFO_V1(funnel_state_conversion_interval);
Datum
funnel_state_conversion_interval(PG_FUNCTION_ARGS)
{
	abm_state	s;
	int			from,
				to;

	conversion_steps(fcinfo, &from, &to);
	funnel_of(fcinfo, 0, &s);
	return abm_wilson_datum(fcinfo, (double) reached_at(&s, to), (double) reached_at(&s, from),
							PG_GETARG_FLOAT8(3));
}

/* ---- stage_path ---- */

/* A unit field of a group: the first row sets it, the others must agree. */
static void
same_unit(int64 *field, int64 unit, const char *type_name)
{
	if (*field == ABM_UNSET)
		*field = unit;
	else if (*field != unit)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s mixes dates and timestamps", type_name),
				 errhint("Give every entry of a group as date, or every one as timestamptz.")));
}

/*
 * stage_path(stage, entered_at) transition: the first entry into each
 * stage.  A row with a NULL stage or time is ignored.
 */
static Datum
path_step(FunctionCallInfo fcinfo, int64 unit, int64 when)
{
	AbmStateDatum *s = abm_state_datum_owned(fcinfo, 0, &abm_stage_path_schema);
	int64	   *first;

	if (unlikely(s == NULL))
		s = abm_state_datum_mutable(fcinfo, 0, &abm_stage_path_schema, false);
	same_unit(&s->scalar[PATH_UNIT], unit, "stage_path");
	first = &s->scalar[PATH_FIRST_ENTRY + stage_position(PG_GETARG_DATUM(1))];
	if (when < *first)
		*first = when;
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(stage_path_date);
Datum
stage_path_date(PG_FUNCTION_ARGS)
{
	DateADT		d;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ABM_RETURN_STATE_UNCHANGED();
	d = PG_GETARG_DATEADT(2);
	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("stage entered at an infinite date"),
				 errhint("Give the date the account entered the stage.")));
	return path_step(fcinfo, ABM_TIME_DAYS, d);
}

PG_FUNCTION_INFO_V1(stage_path_timestamptz);
Datum
stage_path_timestamptz(PG_FUNCTION_ARGS)
{
	TimestampTz t;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ABM_RETURN_STATE_UNCHANGED();
	t = PG_GETARG_TIMESTAMPTZ(2);
	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("stage entered at an infinite time"),
				 errhint("Give the time the account entered the stage.")));
	return path_step(fcinfo, ABM_TIME_MICROSECONDS, t);
}

/* ---- time_in_stage_state ---- */

/*
 * time_in_stage_agg(path) transition: one account's path adds how long it
 * stayed in each stage it left, and counts each stage it entered; sign -1
 * takes it back out.  A NULL path is ignored.
 */
static Datum
time_in_stage_step(FunctionCallInfo fcinfo, int64 sign)
{
	AbmExpandedState *e;
	abm_state	path;
	abm_path_times times;
	abm_error	err;
	int64		one = sign;

	if (PG_ARGISNULL(1))
		ABM_RETURN_STATE_UNCHANGED();
	abm_state_from_datum(PG_GETARG_DATUM(1), &abm_stage_path_schema, &path);
	if (abm_path_times_of(&path, &times, &err) != ABM_OK)
		abm_state_report(&err);
	e = abm_state_expanded_mutable(fcinfo, 0, &abm_time_in_stage_schema);
	if (path.scalar[PATH_UNIT] == ABM_UNSET)
		PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));	/* an empty path */
	same_unit(&e->st.scalar[TIS_UNIT], path.scalar[PATH_UNIT], "time_in_stage_agg");
	for (int s = 0; s < ABM_FUNNEL_STEPS; s++)
	{
		int64	   *entered = &e->st.scalar[TIS_ENTERED + s];

		if (!times.entered[s])
			continue;
		if (pg_add_s64_overflow(*entered, sign, entered) || *entered < 0)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("time_in_stage_state counter out of range")));
		if (times.duration[s] >= 0 &&
			abm_rowset_add(&e->rows, abm_tis_key(s, times.duration[s]), &one, &err) != ABM_OK)
			abm_state_report(&err);
	}
	if (times.velocity >= 0 &&
		abm_rowset_add(&e->rows, abm_tis_key(ABM_VELOCITY_STAGE, times.velocity), &one, &err) != ABM_OK)
		abm_state_report(&err);
	PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
}

PG_FUNCTION_INFO_V1(time_in_stage_add);
Datum
time_in_stage_add(PG_FUNCTION_ARGS)
{
	return time_in_stage_step(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(time_in_stage_remove);
Datum
time_in_stage_remove(PG_FUNCTION_ARGS)
{
	return time_in_stage_step(fcinfo, -1);
}

/* A duration of the state's unit in days. */
static double
in_days(const abm_state *s, double duration)
{
	return s->scalar[TIS_UNIT] == ABM_TIME_MICROSECONDS ? duration / (double) USECS_PER_DAY : duration;
}

/*
 * time_in_stage(state) → a row per step: accounts that entered it, that
 * left it for a later stage, and the median and mean days of those.
 */
PG_FUNCTION_INFO_V1(time_in_stage_state_rows);
Datum
time_in_stage_state_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	abm_state	s;

	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_time_in_stage_schema, &s);
	InitMaterializedSRF(fcinfo, 0);
	for (int pos = 0; pos < ABM_FUNNEL_STEPS; pos++)
	{
		abm_duration_stats st;
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		abm_time_in_stage_stats(&s, pos, &st);
		values[0] = CharGetDatum((char) abm_lifecycle_stage_enum.labels[pos].code);
		values[1] = Int64GetDatum(s.scalar[TIS_ENTERED + pos]);
		values[2] = Int64GetDatum(st.passed);
		values[3] = Float8GetDatum(in_days(&s, st.median));
		values[4] = Float8GetDatum(in_days(&s, st.mean));
		nulls[3] = nulls[4] = st.passed == 0;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* funnel_velocity(state): median days from the first entry into target to onboarding. */
PG_FUNCTION_INFO_V1(time_in_stage_state_velocity);
Datum
time_in_stage_state_velocity(PG_FUNCTION_ARGS)
{
	abm_state	s;
	abm_duration_stats st;

	abm_state_from_datum(PG_GETARG_DATUM(0), &abm_time_in_stage_schema, &s);
	abm_time_in_stage_stats(&s, ABM_VELOCITY_STAGE, &st);
	ABM_RETURN_FLOAT8_OR_NULL(in_days(&s, st.median));
}
