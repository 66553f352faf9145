/*
 * state_pg.c — SQL glue of the mergeable states (see state.h).
 *
 * A state datum is a varlena holding the state's native form: the stored
 * bytes and the transition value of an aggregate are one layout, so a
 * transition function updates a group's counters in place and a partial
 * aggregate is an ordinary value of the state type.  Values stored by
 * abm 1.1 (the version 1 binary form) are read everywhere.  Every function
 * that takes a state from outside an aggregate's own transition decodes it
 * with full validation: a crafted value is an ERROR, never a crash.
 */
#include "abm_pg.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

void
abm_state_report(const abm_error *err)
{
	int			code;

	switch (err->status)
	{
		case ABM_ERR_RANGE:
			code = ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
			break;
		case ABM_ERR_MISMATCH:
			code = ERRCODE_INVALID_PARAMETER_VALUE;
			break;
		case ABM_ERR_LIMIT:
			code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			break;
		default:
			code = ERRCODE_INVALID_TEXT_REPRESENTATION;
			break;
	}
	ereport(ERROR,
			(errcode(code),
			 errmsg("%s", err->status == ABM_ERR_RANGE ? "abm state value out of range"
					: err->status == ABM_ERR_LIMIT ? "abm state too large"
					: err->status == ABM_ERR_VERSION ? "unsupported abm state format version"
					: err->status == ABM_ERR_MISMATCH ? "abm states cannot be merged"
					: "malformed abm state"),
			 errdetail("%s", err->detail),
			 errhint("States are made by abm's aggregates; their text and binary forms are documented in the abm README.")));
}

/* Room for `ncells` row cells (palloc'd), NULL for none. */
static int64 *
row_buffer(const abm_state_schema *schema, Size ncells)
{
	if (ncells == 0)
		return NULL;
	if (ncells > MaxAllocHugeSize / sizeof(int64))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is too large", schema->type_name)));
	return MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int64) * ncells);
}

/* ---- expanded states (schemas with rows) ---- */

static Size expanded_flat_size(ExpandedObjectHeader *eohptr);
static void expanded_flatten(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

const ExpandedObjectMethods abm_expanded_methods = {
	expanded_flat_size,
	expanded_flatten
};

static void *
context_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocExtended((MemoryContext) ctx, size, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
}

static void
context_release(void *ctx, void *p)
{
	pfree(p);
}

/* The abm expanded state a datum points at, or NULL. */
static AbmExpandedState *
expanded_of(Datum value, const abm_state_schema *schema)
{
	ExpandedObjectHeader *eoh;

	if (!VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(value)))
		return NULL;
	eoh = DatumGetEOHP(value);
	if (eoh->eoh_methods != &abm_expanded_methods)
		return NULL;
	if (((AbmExpandedState *) eoh)->st.schema != schema)
		elog(ERROR, "%s function got a %s state", schema->type_name,
			 ((AbmExpandedState *) eoh)->st.schema->type_name);
	return (AbmExpandedState *) eoh;
}

/* The state of an expanded object, rows sorted, without copying. */
static void
expanded_view(AbmExpandedState *e, abm_state *out)
{
	abm_rowset_finish(&e->rows, &e->st);
	memcpy(out, &e->st, ABM_STATE_SIZE(e->st.schema->nscalars));
}

static Size
expanded_flat_size(ExpandedObjectHeader *eohptr)
{
	AbmExpandedState *e = (AbmExpandedState *) eohptr;
	size_t		len;

	abm_rowset_finish(&e->rows, &e->st);
	len = abm_state_native_size(&e->st);
	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is too large", e->st.schema->type_name),
				 errdetail("The state would take %zu bytes; a value is limited to 1 GB.", len)));
	return VARHDRSZ + len;
}

static void
expanded_flatten(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	AbmExpandedState *e = (AbmExpandedState *) eohptr;

	abm_rowset_finish(&e->rows, &e->st);
	Assert(allocated_size == VARHDRSZ + abm_state_native_size(&e->st));
	SET_VARSIZE(result, allocated_size);
	abm_state_to_native(&e->st, (uint8 *) VARDATA(result));
}

/*
 * The memory context of the states an aggregate builds in `aggcontext`: one
 * child of it shared by all of them.  A context per group would make a
 * hashed aggregate's memory check (which walks every child of its context,
 * once per new group) quadratic in the number of groups.  The executor
 * keeps an expanded transition value whose context is a child of the
 * aggregate's, and deletes one only when a transition returns another
 * object, which abm's never do, so the shared context is freed with the
 * aggregate's.
 */
static MemoryContext
aggregate_states_context(MemoryContext aggcontext)
{
	MemoryContext c;

	for (c = aggcontext->firstchild; c != NULL; c = c->nextchild)
		if (strcmp(c->name, "abm states") == 0)
			return c;
	return AllocSetContextCreate(aggcontext, "abm states", ALLOCSET_DEFAULT_SIZES);
}

static AbmExpandedState *
expanded_new(const abm_state_schema *schema, MemoryContext parent, bool in_aggregate)
{
	MemoryContext cxt = in_aggregate ? aggregate_states_context(parent)
		: AllocSetContextCreate(parent, "abm state", ALLOCSET_SMALL_SIZES);
	AbmExpandedState *e = MemoryContextAllocZero(cxt, offsetof(AbmExpandedState, st) +
												 ABM_STATE_SIZE(schema->nscalars));
	abm_allocator mem = {context_alloc, context_release, cxt};

	EOH_init_header(&e->hdr, &abm_expanded_methods, cxt);
	abm_state_init(&e->st, schema);
	abm_rowset_init(&e->rows, schema, mem);
	return e;
}

/*
 * The scalars and parameter of b, without its rows, in *out; and e's state
 * without rows too: an expanded state keeps its rows in its row set.
 */
static void
scalars_only(AbmExpandedState *e, const abm_state *b, abm_state *out)
{
	memcpy(out, b, ABM_STATE_SIZE(b->schema->nscalars));
	out->rows = NULL;
	out->nrows = 0;
	e->st.rows = NULL;
	e->st.nrows = 0;
}

/* Merge a decoded state into an expanded one (scalars by their rules, rows by key). */
static void
expanded_merge(AbmExpandedState *e, const abm_state *b)
{
	abm_state	scalars;
	abm_error	err;

	scalars_only(e, b, &scalars);
	if (abm_state_merge(&e->st, &scalars, NULL, 0, &err) != ABM_OK ||
		abm_rowset_add_state(&e->rows, b, 1, &err) != ABM_OK)
		abm_state_report(&err);
}

AbmExpandedState *
abm_state_expanded_new_from(FunctionCallInfo fcinfo, int argno, const abm_state_schema *schema)
{
	MemoryContext aggcontext;
	bool		in_aggregate;
	AbmExpandedState *e;
	abm_state	b;

	in_aggregate = AggCheckCallContext(fcinfo, &aggcontext) != 0;
	e = expanded_new(schema, in_aggregate ? aggcontext : CurrentMemoryContext, in_aggregate);
	if (!PG_ARGISNULL(argno))
	{
		abm_state_from_datum(PG_GETARG_DATUM(argno), schema, &b);
		expanded_merge(e, &b);
	}
	return e;
}

void
abm_state_from_datum(Datum value, const abm_state_schema *schema, abm_state *out)
{
	AbmExpandedState *e = expanded_of(value, schema);
	struct varlena *v;
	const uint8 *bytes;
	size_t		len,
				cells;
	abm_error	err;

	if (e != NULL)
	{
		expanded_view(e, out);
		return;
	}
	v = PG_DETOAST_DATUM_PACKED(value);
	bytes = (const uint8 *) VARDATA_ANY(v);
	len = VARSIZE_ANY_EXHDR(v);
	cells = abm_state_payload_max_cells(schema, len);
	if (abm_state_from_payload(schema, bytes, len, out, row_buffer(schema, cells), cells, &err) != ABM_OK)
		abm_state_report(&err);
}

Datum
abm_state_to_datum(const abm_state *s)
{
	size_t		len = abm_state_native_size(s);
	struct varlena *v;

	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is too large", s->schema->type_name),
				 errdetail("The state would take %zu bytes; a value is limited to 1 GB.", len)));
	v = palloc(VARHDRSZ + len);
	SET_VARSIZE(v, VARHDRSZ + len);
	abm_state_to_native(s, (uint8 *) VARDATA(v));
	PG_RETURN_POINTER(v);
}

AbmStateDatum *
abm_state_datum_mutable(FunctionCallInfo fcinfo, int argno,
						const abm_state_schema *schema, bool with_param)
{
	abm_state	s;

	if (PG_ARGISNULL(argno))
		abm_state_init(&s, schema);
	else
		abm_state_from_datum(PG_GETARG_DATUM(argno), schema, &s);
	if (with_param && !s.has_param)
	{
		/* room for the parameter; NaN until the caller sets it */
		s.has_param = 1;
		s.param = NAN;
	}
	return (AbmStateDatum *) DatumGetPointer(abm_state_to_datum(&s));
}

Datum
abm_state_in_common(FunctionCallInfo fcinfo, const abm_state_schema *schema)
{
	const char *text = PG_GETARG_CSTRING(0);
	size_t		len = strlen(text);
	size_t		cells = abm_state_text_cells(schema, text, len);
	abm_state	s;
	abm_error	err;

	if (abm_state_from_text(schema, text, len, &s, row_buffer(schema, cells), cells, &err) != ABM_OK)
	{
		if (err.status == ABM_ERR_SYNTAX || err.status == ABM_ERR_VERSION)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: \"%s\"", schema->type_name, text),
					 errdetail("%s", err.detail),
					 errhint("The text form is \"v%d\" followed by name=value fields; see the abm README.",
							 ABM_STATE_VERSION)));
		ereport(ERROR,
				(errcode(err.status == ABM_ERR_RANGE ? ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE
						 : ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value out of range for type %s: \"%s\"", schema->type_name, text),
				 errdetail("%s", err.detail)));
	}
	return abm_state_to_datum(&s);
}

Datum
abm_state_out_common(FunctionCallInfo fcinfo, const abm_state_schema *schema)
{
	abm_state	s;
	size_t		need;
	char	   *buf;

	abm_state_from_datum(PG_GETARG_DATUM(0), schema, &s);
	need = abm_state_to_text(&s, NULL, 0);
	if (need >= MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("text form of %s is too large", schema->type_name)));
	buf = palloc(need + 1);
	abm_state_to_text(&s, buf, need + 1);
	PG_RETURN_CSTRING(buf);
}

Datum
abm_state_recv_common(FunctionCallInfo fcinfo, const abm_state_schema *schema)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	size_t		len = buf->len - buf->cursor;
	const uint8 *bytes = (const uint8 *) pq_getmsgbytes(buf, (int) len);
	size_t		cells = abm_state_binary_max_cells(schema, len);
	abm_state	s;
	abm_error	err;

	if (abm_state_from_binary(schema, bytes, len, &s, row_buffer(schema, cells), cells, &err) != ABM_OK)
		abm_state_report(&err);
	return abm_state_to_datum(&s);
}

Datum
abm_state_send_common(FunctionCallInfo fcinfo, const abm_state_schema *schema)
{
	abm_state	s;
	StringInfoData buf;
	size_t		len;

	/* decode first: never send bytes that would not be received back */
	abm_state_from_datum(PG_GETARG_DATUM(0), schema, &s);
	len = abm_state_binary_size(&s);
	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, (int) len);
	abm_state_to_binary(&s, (uint8 *) buf.data + buf.len);
	buf.len += (int) len;
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * Merge the state in argument 1 into the one in argument 0: the combine
 * function of every aggregate of the type (parallel workers, partitionwise
 * aggregation, Citus's coordinator) and the transition of rollup().  A NULL
 * on either side is no state.  Inside an aggregate a row-less state of
 * unchanged shape is updated in place; otherwise a new datum is returned.
 */
Datum
abm_state_combine_common(FunctionCallInfo fcinfo, const abm_state_schema *schema)
{
	AbmStateDatum *owned;
	abm_state	a,
				b;
	abm_error	err;
	int64	   *rowbuf = NULL;
	size_t		cellcap = 0;
	bool		a_param;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}

	if (schema->ncols > 0)
	{
		/* rows: merged by key into the aggregate's expanded state */
		AbmExpandedState *e = abm_state_expanded_mutable(fcinfo, 0, schema);

		abm_state_from_datum(PG_GETARG_DATUM(1), schema, &b);
		expanded_merge(e, &b);
		PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
	}

	/*
	 * rollup() over stored states, the per-row case: a plain native state
	 * (not compressed or toasted: short ones are stored with a 1-byte
	 * header) merged into the group's own datum, without a full decode.
	 */
	owned = schema->ncols == 0 && abm_schema_nmoney(schema) == 0 ?
		abm_state_datum_owned(fcinfo, 0, schema) : NULL;
	if (owned != NULL)
	{
		struct varlena *bv = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(1));

		if (!VARATT_IS_EXTENDED(bv) || VARATT_IS_SHORT(bv))
		{
			switch (abm_state_merge_plain_native(schema, owned->scalar, (const uint8 *) VARDATA_ANY(bv),
												 VARSIZE_ANY_EXHDR(bv), &err))
			{
				case 1:
					PG_RETURN_POINTER(owned);
				case -1:
					abm_state_report(&err);
				default:
					break;
			}
		}
	}

	abm_state_from_datum(PG_GETARG_DATUM(1), schema, &b);
	if (PG_ARGISNULL(0))
		return abm_state_to_datum(&b);

	a_param = owned != NULL && (owned->flags & ABM_STATE_FLAG_PARAM) != 0;
	if (owned != NULL && (a_param || !b.has_param) &&
		VARSIZE(owned) == VARHDRSZ + abm_state_native_scalar_size(schema, a_param))
	{
		/* the group's own datum keeps its shape: merge its scalars in place */
		abm_state_init(&a, schema);
		memcpy(a.scalar, owned->scalar, sizeof(int64) * schema->nscalars);
		if (a_param)
		{
			a.has_param = 1;
			a.param = *abm_state_datum_param(owned, schema);
		}
		if (abm_state_merge(&a, &b, NULL, 0, &err) != ABM_OK)
			abm_state_report(&err);
		memcpy(owned->scalar, a.scalar, sizeof(int64) * schema->nscalars);
		PG_RETURN_POINTER(owned);
	}

	abm_state_from_datum(PG_GETARG_DATUM(0), schema, &a);
	if (b.nrows > 0)
	{
		cellcap = abm_state_merge_cells(&a, &b);
		rowbuf = row_buffer(schema, cellcap);
	}
	if (abm_state_merge(&a, &b, rowbuf, cellcap, &err) != ABM_OK)
		abm_state_report(&err);
	return abm_state_to_datum(&a);
}

/* Take b out of a; false when its kind cannot (the caller recomputes). */
static bool
subtracted(abm_state *a, const abm_state *b)
{
	abm_error	err;

	switch (abm_state_subtract(a, b, &err))
	{
		case ABM_OK:
			return true;
		case ABM_ERR_MISMATCH:
			return false;
		default:
			abm_state_report(&err);
	}
}

/*
 * Take the state in argument 1 back out of the one in argument 0: the
 * inverse transition of rollup() over a sliding window frame.  Returns NULL,
 * which makes the executor recompute the frame, for a state kind that cannot
 * be taken apart (see abm_state_subtract).
 */
Datum
abm_state_subtract_common(FunctionCallInfo fcinfo, const abm_state_schema *schema)
{
	AbmStateDatum *owned;
	abm_state	a,
				b;
	abm_error	err;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();		/* nothing to take from: recompute */
	if (schema->ncols > 0)
	{
		/* rows: taken out of the aggregate's expanded state by key */
		AbmExpandedState *e;
		abm_state	scalars;
		int			i;

		for (i = 0; i < schema->nscalars; i++)
			if (schema->scalars[i].merge == ABM_MERGE_MIN || schema->scalars[i].merge == ABM_MERGE_MAX)
				PG_RETURN_NULL();
		e = abm_state_expanded_mutable(fcinfo, 0, schema);
		abm_state_from_datum(PG_GETARG_DATUM(1), schema, &b);
		scalars_only(e, &b, &scalars);
		if (!subtracted(&e->st, &scalars))
			PG_RETURN_NULL();
		if (abm_rowset_add_state(&e->rows, &b, -1, &err) != ABM_OK)
			abm_state_report(&err);
		PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
	}
	abm_state_from_datum(PG_GETARG_DATUM(1), schema, &b);
	abm_state_from_datum(PG_GETARG_DATUM(0), schema, &a);
	if (!subtracted(&a, &b))
		PG_RETURN_NULL();
	owned = abm_state_datum_owned(fcinfo, 0, schema);
	if (owned != NULL && schema->ncols == 0 && abm_schema_nmoney(schema) == 0)
	{
		memcpy(owned->scalar, a.scalar, sizeof(int64) * schema->nscalars);
		PG_RETURN_POINTER(owned);
	}
	return abm_state_to_datum(&a);
}
