/*
 * abm_pg.h — the fmgr glue shared by abm's SQL-callable functions.
 *
 * Two mechanisms live here, each written once:
 *  - ABM_ENUM_TYPE(name, table): the I/O functions of a small ordered
 *    enumeration type; comparison, hashing and min/max are shared by all of
 *    them because every value is one ordered byte.
 *  - ABM_STATE_TYPE(name, schema): the I/O functions of a mergeable state
 *    type and the merge and subtract functions that are the combine function
 *    of its aggregates and the transition of rollup(); the counting step of
 *    every aggregate over raw rows is abm_agg_count_step.
 */
#ifndef ABM_PG_H
#define ABM_PG_H

#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "nodes/nodes.h"
#include "datatype/timestamp.h"
#include "utils/expandeddatum.h"

#include "label_enum.h"
#include "state.h"

/* ---- small enumerations ---- */

extern Datum abm_enum_in_common(FunctionCallInfo fcinfo, const abm_label_enum *e);
extern Datum abm_enum_out_common(FunctionCallInfo fcinfo, const abm_label_enum *e);
extern Datum abm_enum_recv_common(FunctionCallInfo fcinfo, const abm_label_enum *e);
extern Datum abm_enum_send_common(FunctionCallInfo fcinfo, const abm_label_enum *e);
extern Datum abm_enum_labels_common(FunctionCallInfo fcinfo, const abm_label_enum *e);

/* The label of a stored code; errors if the byte is not a code of the type. */
extern const abm_label *abm_enum_label_of(const abm_label_enum *e, Datum value);

#define ABM_ENUM_TYPE(name, table) \
	PG_FUNCTION_INFO_V1(name##_in); \
	Datum name##_in(PG_FUNCTION_ARGS) { return abm_enum_in_common(fcinfo, &(table)); } \
	PG_FUNCTION_INFO_V1(name##_out); \
	Datum name##_out(PG_FUNCTION_ARGS) { return abm_enum_out_common(fcinfo, &(table)); } \
	PG_FUNCTION_INFO_V1(name##_recv); \
	Datum name##_recv(PG_FUNCTION_ARGS) { return abm_enum_recv_common(fcinfo, &(table)); } \
	PG_FUNCTION_INFO_V1(name##_send); \
	Datum name##_send(PG_FUNCTION_ARGS) { return abm_enum_send_common(fcinfo, &(table)); } \
	PG_FUNCTION_INFO_V1(name##_labels); \
	Datum name##_labels(PG_FUNCTION_ARGS) { return abm_enum_labels_common(fcinfo, &(table)); } \
	extern int no_such_variable

/* ---- mergeable states ---- */

/*
 * A state datum in the native form (state.h): the transition type of every
 * abm aggregate is its state type, so a partial aggregate travels between
 * parallel workers, partitions and nodes as an ordinary value of that type
 * (Citus ships it as the type's text form).  Transition functions allocate
 * the datum once per group and then update its counters in place.
 */
typedef struct AbmStateDatum
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		version;		/* ABM_STATE_VERSION */
	uint8		kind;			/* the schema's kind */
	uint8		flags;			/* ABM_STATE_FLAG_PARAM */
	uint8		reserved;
	int64		scalar[FLEXIBLE_ARRAY_MEMBER];	/* then the parameter, rows */
} AbmStateDatum;

StaticAssertDecl(offsetof(AbmStateDatum, scalar) == ABM_NATIVE_SCALARS,
				 "AbmStateDatum matches the native form of state.h");

/*
 * Called by an aggregate or window aggregate, whose transition value the
 * function may change in place (what AggCheckCallContext tells, inline).
 */
static inline bool
abm_in_aggregate(FunctionCallInfo fcinfo)
{
	return fcinfo->context != NULL &&
		(IsA(fcinfo->context, AggState) || IsA(fcinfo->context, WindowAggState));
}

/*
 * The transition value in argument argno, if this call may update it in
 * place: an aggregate's own native datum of this kind with room for its
 * scalars.  NULL otherwise (an SQL call, a stored version 1 datum, a packed
 * header), and then abm_state_datum_mutable makes a fresh copy.  A few
 * compares of the first 8 bytes: no decoding, no validation.
 */
static inline AbmStateDatum *
abm_state_datum_owned(FunctionCallInfo fcinfo, int argno, const abm_state_schema *schema)
{
	AbmStateDatum *s;

	if (PG_ARGISNULL(argno) || !abm_in_aggregate(fcinfo))
		return NULL;
	s = (AbmStateDatum *) DatumGetPointer(PG_GETARG_DATUM(argno));
	if (likely(VARATT_IS_4B_U(s) &&
			   VARSIZE(s) >= ABM_NATIVE_SCALARS + sizeof(int64) * (Size) schema->nscalars &&
			   s->version == ABM_STATE_VERSION && s->kind == schema->kind))
		return s;
	return NULL;
}

/*
 * A new native datum, in the current memory context, holding the state in
 * argument argno (decoded and validated, any stored version) or an empty one
 * if it is NULL; with room for a parameter when with_param (NaN if the state
 * had none, for the caller to set).  The aggregate
 * executor copies a new transition value into its own context once.
 */
extern AbmStateDatum *abm_state_datum_mutable(FunctionCallInfo fcinfo, int argno,
											  const abm_state_schema *schema, bool with_param);

/* The parameter of a native datum with ABM_STATE_FLAG_PARAM set: after the scalars. */
static inline double *
abm_state_datum_param(AbmStateDatum *s, const abm_state_schema *schema)
{
	return (double *) &s->scalar[schema->nscalars];
}

/*
 * States with rows (survival times, ...) live, while an aggregate builds
 * them, as an expanded object (PostgreSQL's protocol for values with a
 * richer in-memory form, as arrays use): the scalars plus a row set that
 * adds to a row in O(1).  The executor keeps the object, which it recognizes
 * as the transition value, instead of copying it per row; it is flattened
 * into the native form only when the state is output or stored.
 */
typedef struct AbmExpandedState
{
	ExpandedObjectHeader hdr;
	abm_rowset	rows;
	abm_state	st;				/* scalars and parameter; last (flexible) */
} AbmExpandedState;

/*
 * The transition value in argument argno as an expanded state that this
 * call may change: the aggregate's own object, or a new one (in the
 * aggregate's context, or the current one outside an aggregate) holding a
 * copy of the value, decoded and validated, or an empty state if NULL.
 */
extern AbmExpandedState *abm_state_expanded_new_from(FunctionCallInfo fcinfo, int argno,
													 const abm_state_schema *schema);
/* The methods of abm's expanded states: how one is told from other expanded objects. */
extern const ExpandedObjectMethods abm_expanded_methods;

static inline AbmExpandedState *
abm_state_expanded_mutable(FunctionCallInfo fcinfo, int argno, const abm_state_schema *schema)
{
	/*
	 * The per-row case, inline and with a small frame: the aggregate's own
	 * read-write object.  Anything else makes a new one, out of line.
	 */
	if (likely(!PG_ARGISNULL(argno) && abm_in_aggregate(fcinfo) &&
			   VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(PG_GETARG_DATUM(argno)))))
	{
		AbmExpandedState *e = (AbmExpandedState *) DatumGetEOHP(PG_GETARG_DATUM(argno));

		if (likely(e->hdr.eoh_methods == &abm_expanded_methods && e->st.schema == schema))
			return e;
	}
	return abm_state_expanded_new_from(fcinfo, argno, schema);
}

/* Report a non-OK status from the pure code as an ERROR with its SQLSTATE. */
extern void abm_state_report(const abm_error *err) pg_attribute_noreturn();

/*
 * Decode and validate a state datum of the given kind (native or version 1,
 * flat or an abm expanded state).  Rows point into the datum's memory or
 * the expanded object's.
 */
extern void abm_state_from_datum(Datum value, const abm_state_schema *schema, abm_state *out);
/* A new native datum of the state, in the current memory context. */
extern Datum abm_state_to_datum(const abm_state *s);

extern Datum abm_state_in_common(FunctionCallInfo fcinfo, const abm_state_schema *schema);
extern Datum abm_state_out_common(FunctionCallInfo fcinfo, const abm_state_schema *schema);
extern Datum abm_state_recv_common(FunctionCallInfo fcinfo, const abm_state_schema *schema);
extern Datum abm_state_send_common(FunctionCallInfo fcinfo, const abm_state_schema *schema);
extern Datum abm_state_combine_common(FunctionCallInfo fcinfo, const abm_state_schema *schema);
extern Datum abm_state_subtract_common(FunctionCallInfo fcinfo, const abm_state_schema *schema);

/*
 * The SQL functions of a state type: text and binary I/O, and the merge of
 * two states (the combine function of every aggregate of the type, and the
 * transition of rollup()) with its inverse (rollup's moving window).
 */
#define ABM_STATE_TYPE(name, schema) \
	PG_FUNCTION_INFO_V1(name##_in); \
	Datum name##_in(PG_FUNCTION_ARGS) { return abm_state_in_common(fcinfo, &(schema)); } \
	PG_FUNCTION_INFO_V1(name##_out); \
	Datum name##_out(PG_FUNCTION_ARGS) { return abm_state_out_common(fcinfo, &(schema)); } \
	PG_FUNCTION_INFO_V1(name##_recv); \
	Datum name##_recv(PG_FUNCTION_ARGS) { return abm_state_recv_common(fcinfo, &(schema)); } \
	PG_FUNCTION_INFO_V1(name##_send); \
	Datum name##_send(PG_FUNCTION_ARGS) { return abm_state_send_common(fcinfo, &(schema)); } \
	PG_FUNCTION_INFO_V1(name##_combine); \
	Datum name##_combine(PG_FUNCTION_ARGS) { return abm_state_combine_common(fcinfo, &(schema)); } \
	PG_FUNCTION_INFO_V1(name##_subtract); \
	Datum name##_subtract(PG_FUNCTION_ARGS) { return abm_state_subtract_common(fcinfo, &(schema)); } \
	extern int no_such_variable

/* Add delta to a counter of a native datum; past 0..INT64_MAX is an error. */
static pg_attribute_always_inline void
abm_state_datum_count(AbmStateDatum *s, const abm_state_schema *schema, int field, int64 delta)
{
	if (unlikely(__builtin_add_overflow(s->scalar[field], delta, &s->scalar[field]) ||
				 s->scalar[field] < 0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s counter %s out of range", schema->type_name, schema->scalars[field].name)));
}

/*
 * The per-row step of an aggregate that counts: add delta (+1 or -1, a
 * constant in each caller) to `field`, and to `field2` when `also` is 1
 * (field2 < 0: no second field), of the transition value in argument 0.
 * After a group's first row this is a header check and one or two
 * additions to the datum the executor keeps for the group.
 */
static pg_attribute_always_inline Datum
abm_agg_count_step(FunctionCallInfo fcinfo, const abm_state_schema *schema,
				   int field, int field2, int also, int64 delta)
{
	AbmStateDatum *s = abm_state_datum_owned(fcinfo, 0, schema);

	if (unlikely(s == NULL))
		s = abm_state_datum_mutable(fcinfo, 0, schema, false);
	abm_state_datum_count(s, schema, field, delta);
	if (field2 >= 0 && also)
		abm_state_datum_count(s, schema, field2, delta);
	PG_RETURN_POINTER(s);
}

/* Return a double, or NULL for NaN (the pure code's "undefined"). */
#define ABM_RETURN_FLOAT8_OR_NULL(x) \
	do { double v_ = (x); if (isnan(v_)) PG_RETURN_NULL(); PG_RETURN_FLOAT8(v_); } while (0)

/* A non-strict transition's answer to a row it ignores: the state as it was. */
#define ABM_RETURN_STATE_UNCHANGED() \
	do { if (PG_ARGISNULL(0)) PG_RETURN_NULL(); PG_RETURN_DATUM(PG_GETARG_DATUM(0)); } while (0)

/* An accessor returning one scalar of a state as bigint. */
#define ABM_STATE_SCALAR(fname, schema, field) \
	PG_FUNCTION_INFO_V1(fname); \
	Datum fname(PG_FUNCTION_ARGS) \
	{ \
		abm_state	s_; \
		abm_state_from_datum(PG_GETARG_DATUM(0), &(schema), &s_); \
		PG_RETURN_INT64(s_.scalar[field]); \
	} \
	extern int no_such_variable

/* ---- durations ---- */

/*
 * An interval in days as EXTRACT(EPOCH FROM interval) / 86400 reads it: a
 * year of months is 365.25 days, a remaining month 30.
 */
static inline double
abm_interval_days(const Interval *iv)
{
	return iv->time / (double) USECS_PER_DAY +
		(double) DAYS_PER_YEAR * (iv->month / MONTHS_PER_YEAR) +
		(double) DAYS_PER_MONTH * (iv->month % MONTHS_PER_YEAR) + iv->day;
}

/* ---- confidence levels and intervals ---- */

/* A confidence level must be in (0, 1): 22023 otherwise (nps_pg.c). */
extern void abm_check_confidence(double confidence);

/*
 * The composite (lower, upper) of the Wilson score interval of successes out
 * of n at a checked confidence, both NULL when n = 0 (pipeline_pg.c).
 */
extern Datum abm_wilson_datum(FunctionCallInfo fcinfo, double successes, double n, double confidence);

/* ---- months (schedule_pg.c): month 0 is January 2000 ---- */

/* The month of a finite date: its own, or with `from` the first month starting on or after it. */
extern int64 abm_month_of_date(int32 date, bool from);
/* The first day of a month, as a DateADT. */
extern int32 abm_date_of_month(int64 month);

#endif							/* ABM_PG_H */
