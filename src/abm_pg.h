/*
 * abm_pg.h — the fmgr glue shared by abm's SQL-callable functions.
 *
 * Two mechanisms live here, each written once:
 *  - ABM_ENUM_TYPE(name, table): the I/O functions of a small ordered
 *    enumeration type; comparison, hashing and min/max are shared by all of
 *    them because every value is one ordered byte.
 *  - ABM_STATE_TYPE(name, schema): the I/O functions, the final function and
 *    the rollup transition and its inverse of a mergeable state type; combine, serialize and
 *    deserialize are shared by all of them.
 */
#ifndef ABM_PG_H
#define ABM_PG_H

#include "postgres.h"
#include "fmgr.h"

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
 * The transition state of every abm aggregate: a state plus the one
 * parameter an aggregate may take per call (e.g. a confidence level; NaN
 * when it has none), allocated once per group in the aggregate context.
 */
typedef struct AbmAggState
{
	double		param;
	uint32		rowcap;			/* capacity of st.rows */
	abm_state	st;				/* last: allocated to its schema's size */
} AbmAggState;

/* Bytes of a transition state of a schema with n scalars (64 for NPS). */
#define ABM_AGG_STATE_SIZE(nscalars) (offsetof(AbmAggState, st) + ABM_STATE_SIZE(nscalars))

/* A new empty transition state; errors if not called as an aggregate. */
extern AbmAggState *abm_agg_state_new(FunctionCallInfo fcinfo, const abm_state_schema *schema);

/*
 * Packed transition states.  An `internal` transition value is passed by
 * value, so a state of a schema with at most three SUM counters and no rows
 * can live in the Datum itself while its counters are small: bit 0 set, the
 * schema's kind in bits 1..3, three 20-bit counters above.  A hashed
 * aggregate's group then needs no allocation, exactly as sum()'s int8 state,
 * and no pointer to chase.  A counter about to pass 2^20 - 1 moves the state
 * into an AbmAggState; every function taking a transition value accepts both.
 */
#define ABM_PACK_TAG_BITS 4
#define ABM_PACK_FIELD_BITS 20
#define ABM_PACK_MAX ((UINT64CONST(1) << ABM_PACK_FIELD_BITS) - 1)
#define ABM_PACK_ONE(field) (UINT64CONST(1) << (ABM_PACK_TAG_BITS + ABM_PACK_FIELD_BITS * (field)))

static inline bool
abm_agg_is_packed(Datum d)
{
	return (d & 1) != 0;
}

static inline uint64
abm_packed_count(Datum d, int field)
{
	return (d >> (ABM_PACK_TAG_BITS + ABM_PACK_FIELD_BITS * field)) & ABM_PACK_MAX;
}

/* The packed empty state of a schema (which must be packable). */
static inline Datum
abm_packed_empty(const abm_state_schema *schema)
{
	return (Datum) (1 | ((uint64) schema->kind << 1));
}

/* Can this schema's states be packed? */
extern bool abm_schema_packable(const abm_state_schema *schema);

/*
 * The transition value in argument argno as a state that may be changed:
 * allocates an empty one if it is NULL, moves a packed one into memory.
 */
extern AbmAggState *abm_agg_mutable(FunctionCallInfo fcinfo, int argno,
									const abm_state_schema *schema);

/*
 * A read-only view of a non-NULL transition value: the state itself, or a
 * packed one decoded into *scratch.  *param, if not NULL, gets its parameter.
 */
extern const abm_state *abm_agg_view(Datum value, abm_state *scratch, double *param);

/* Report a non-OK status from the pure code as an ERROR with its SQLSTATE. */
extern void abm_state_report(const abm_error *err) pg_attribute_noreturn();

/* Decode and validate a state datum of the given kind. */
extern void abm_state_from_datum(Datum value, const abm_state_schema *schema, abm_state *out);
extern Datum abm_state_to_datum(const abm_state *s);

extern Datum abm_state_in_common(FunctionCallInfo fcinfo, const abm_state_schema *schema);
extern Datum abm_state_out_common(FunctionCallInfo fcinfo, const abm_state_schema *schema);
extern Datum abm_state_recv_common(FunctionCallInfo fcinfo, const abm_state_schema *schema);
extern Datum abm_state_send_common(FunctionCallInfo fcinfo, const abm_state_schema *schema);
extern Datum abm_state_final_common(FunctionCallInfo fcinfo, const abm_state_schema *schema);
extern Datum abm_state_rollup_common(FunctionCallInfo fcinfo, const abm_state_schema *schema);
extern Datum abm_state_rollup_inv_common(FunctionCallInfo fcinfo, const abm_state_schema *schema);

#define ABM_STATE_TYPE(name, schema) \
	PG_FUNCTION_INFO_V1(name##_in); \
	Datum name##_in(PG_FUNCTION_ARGS) { return abm_state_in_common(fcinfo, &(schema)); } \
	PG_FUNCTION_INFO_V1(name##_out); \
	Datum name##_out(PG_FUNCTION_ARGS) { return abm_state_out_common(fcinfo, &(schema)); } \
	PG_FUNCTION_INFO_V1(name##_recv); \
	Datum name##_recv(PG_FUNCTION_ARGS) { return abm_state_recv_common(fcinfo, &(schema)); } \
	PG_FUNCTION_INFO_V1(name##_send); \
	Datum name##_send(PG_FUNCTION_ARGS) { return abm_state_send_common(fcinfo, &(schema)); } \
	PG_FUNCTION_INFO_V1(name##_final); \
	Datum name##_final(PG_FUNCTION_ARGS) { return abm_state_final_common(fcinfo, &(schema)); } \
	PG_FUNCTION_INFO_V1(name##_rollup_trans); \
	Datum name##_rollup_trans(PG_FUNCTION_ARGS) { return abm_state_rollup_common(fcinfo, &(schema)); } \
	PG_FUNCTION_INFO_V1(name##_rollup_inv); \
	Datum name##_rollup_inv(PG_FUNCTION_ARGS) { return abm_state_rollup_inv_common(fcinfo, &(schema)); } \
	extern int no_such_variable

/* Add delta to a counter of an unpacked state; past 0..INT64_MAX is an error. */
static pg_attribute_always_inline void
abm_agg_count(AbmAggState *s, int field, int64 delta)
{
	if (unlikely(__builtin_add_overflow(s->st.scalar[field], delta, &s->st.scalar[field]) ||
				 s->st.scalar[field] < 0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s counter out of range", s->st.schema->type_name)));
}

/*
 * The per-row step of an aggregate that counts: add delta (+1 or -1, a
 * constant in each caller) to `field`, and to `field2` when `also` is 1
 * (field2 < 0: no second field; its rows must be a subset of field's), of
 * the transition value in argument 0.  The common case, a packed state whose
 * counters stay in range, is a few integer operations on the Datum: no
 * allocation, no memory access, no data-dependent branch.
 */
static pg_attribute_always_inline Datum
abm_agg_count_step(FunctionCallInfo fcinfo, const abm_state_schema *schema,
				   int field, int field2, int also, int64 delta)
{
	AbmAggState *s;
	Datum		d;

	if (PG_ARGISNULL(0))
	{
		if (delta < 0)
			goto unpacked;		/* nothing to remove: abm_agg_count reports it */
		d = abm_packed_empty(schema);
	}
	else
		d = PG_GETARG_DATUM(0);

	if (likely(abm_agg_is_packed(d)))
	{
		uint64		c = abm_packed_count(d, field);

		/* field2 counts a subset of field's rows: it fits when field does */
		if (likely(delta > 0 ? c < ABM_PACK_MAX
				   : c > 0 && (field2 < 0 || !also || abm_packed_count(d, field2) > 0)))
		{
			uint64		step = ABM_PACK_ONE(field) + (field2 >= 0 ? also * ABM_PACK_ONE(field2) : 0);

			return delta > 0 ? d + step : d - step;
		}
		goto unpacked;
	}

	/* a large group: the state is in memory already */
	s = (AbmAggState *) DatumGetPointer(d);
	goto count;

unpacked:
	s = abm_agg_mutable(fcinfo, 0, schema);
count:
	abm_agg_count(s, field, delta);
	if (field2 >= 0 && also)
		abm_agg_count(s, field2, delta);
	PG_RETURN_POINTER(s);
}

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

#endif							/* ABM_PG_H */
