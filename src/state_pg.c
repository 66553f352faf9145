/*
 * state_pg.c — SQL glue of the mergeable states (see state.h).
 *
 * A state datum is a varlena whose payload is the state's binary form, so
 * the stored bytes, the COPY BINARY bytes and the bytes a coordinator
 * receives are one format, pinned by the golden tests.  Every function that
 * takes a state decodes it with full validation: a crafted value is an
 * ERROR, never a crash.
 */
#include "abm_pg.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

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
		default:
			code = ERRCODE_INVALID_TEXT_REPRESENTATION;
			break;
	}
	ereport(ERROR,
			(errcode(code),
			 errmsg("%s", err->status == ABM_ERR_RANGE ? "abm state value out of range"
					: err->status == ABM_ERR_VERSION ? "unsupported abm state format version"
					: err->status == ABM_ERR_MISMATCH ? "abm states cannot be merged"
					: "malformed abm state"),
			 errdetail("%s", err->detail),
			 errhint("States are made by abm's aggregates; their text and binary forms are documented in the abm README.")));
}

AbmAggState *
abm_agg_state_new(FunctionCallInfo fcinfo, const abm_state_schema *schema)
{
	MemoryContext aggcontext;
	AbmAggState *s;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s transition function called outside an aggregate", schema->type_name)));
	s = (AbmAggState *) MemoryContextAlloc(aggcontext, ABM_AGG_STATE_SIZE(schema->nscalars));
	abm_state_init(&s->st, schema);
	s->param = NAN;
	s->rowcap = 0;
	return s;
}

bool
abm_schema_packable(const abm_state_schema *schema)
{
	int			i;

	if (schema->ncols != 0 || schema->nscalars > 3 || schema->kind >= 8)
		return false;
	for (i = 0; i < schema->nscalars; i++)
		if (schema->scalars[i].merge != ABM_MERGE_SUM || !schema->scalars[i].nonnegative)
			return false;
	return true;
}

static const abm_state_schema *
packed_schema(Datum d)
{
	const abm_state_schema *schema = abm_state_schema_by_kind((int) ((d >> 1) & 7));

	if (schema == NULL || !abm_schema_packable(schema))
		elog(ERROR, "corrupt packed abm transition state");
	return schema;
}

static void
unpack_into(Datum d, abm_state *s)
{
	int			i;

	abm_state_init(s, packed_schema(d));
	for (i = 0; i < s->schema->nscalars; i++)
		s->scalar[i] = (int64) abm_packed_count(d, i);
}

AbmAggState *
abm_agg_mutable(FunctionCallInfo fcinfo, int argno, const abm_state_schema *schema)
{
	Datum		d;
	AbmAggState *s;

	if (PG_ARGISNULL(argno))
		return abm_agg_state_new(fcinfo, schema);
	d = PG_GETARG_DATUM(argno);
	if (!abm_agg_is_packed(d))
		return (AbmAggState *) DatumGetPointer(d);
	s = abm_agg_state_new(fcinfo, packed_schema(d));
	unpack_into(d, &s->st);
	return s;
}

const abm_state *
abm_agg_view(Datum value, abm_state *scratch, double *param)
{
	AbmAggState *s;

	if (abm_agg_is_packed(value))
	{
		unpack_into(value, scratch);
		if (param != NULL)
			*param = NAN;
		return scratch;
	}
	s = (AbmAggState *) DatumGetPointer(value);
	if (param != NULL)
		*param = s->param;
	return &s->st;
}

void
abm_state_from_datum(Datum value, const abm_state_schema *schema, abm_state *out)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(value);
	const uint8 *bytes = (const uint8 *) VARDATA_ANY(v);
	size_t		len = VARSIZE_ANY_EXHDR(v);
	uint32		maxrows = abm_state_binary_max_rows(schema, len);
	int64	   *rowbuf = maxrows > 0 ? palloc(sizeof(int64) * maxrows * schema->ncols) : NULL;
	abm_error	err;

	if (abm_state_from_binary(schema, bytes, len, out, rowbuf, maxrows, &err) != ABM_OK)
		abm_state_report(&err);
}

Datum
abm_state_to_datum(const abm_state *s)
{
	size_t		len = abm_state_binary_size(s);
	struct varlena *v = palloc(VARHDRSZ + len);

	SET_VARSIZE(v, VARHDRSZ + len);
	abm_state_to_binary(s, (uint8 *) VARDATA(v));
	PG_RETURN_POINTER(v);
}

Datum
abm_state_in_common(FunctionCallInfo fcinfo, const abm_state_schema *schema)
{
	const char *text = PG_GETARG_CSTRING(0);
	size_t		len = strlen(text);
	uint32		maxrows = abm_state_text_max_rows(schema, len);
	int64	   *rowbuf = maxrows > 0 ? palloc(sizeof(int64) * maxrows * schema->ncols) : NULL;
	abm_state	s;
	abm_error	err;

	if (abm_state_from_text(schema, text, len, &s, rowbuf, maxrows, &err) != ABM_OK)
	{
		if (err.status == ABM_ERR_SYNTAX || err.status == ABM_ERR_VERSION)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: \"%s\"", schema->type_name, text),
					 errdetail("%s", err.detail),
					 errhint("The text form is \"v%d\" followed by name=value fields; see the abm README.",
							 schema->version)));
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
	uint32		maxrows = abm_state_binary_max_rows(schema, len);
	int64	   *rowbuf = maxrows > 0 ? palloc(sizeof(int64) * maxrows * schema->ncols) : NULL;
	abm_state	s;
	abm_error	err;

	if (abm_state_from_binary(schema, bytes, len, &s, rowbuf, maxrows, &err) != ABM_OK)
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

/* Final function of an aggregate returning the state itself; NULL if no input. */
Datum
abm_state_final_common(FunctionCallInfo fcinfo, const abm_state_schema *schema)
{
	abm_state	scratch;
	const abm_state *st;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = abm_agg_view(PG_GETARG_DATUM(0), &scratch, NULL);
	if (st->schema != schema)
		elog(ERROR, "%s final function got a %s state", schema->type_name, st->schema->type_name);
	return abm_state_to_datum(st);
}

/* Merge b into the transition state a (in the aggregate context). */
static void
merge_into(AbmAggState *a, const abm_state *b, MemoryContext aggcontext)
{
	abm_error	err;
	int64	   *rowbuf = NULL;
	uint32		rowcap = 0;

	if (b->nrows > 0)
	{
		rowcap = a->st.nrows + b->nrows;
		rowbuf = MemoryContextAlloc(aggcontext, sizeof(int64) * rowcap * a->st.schema->ncols);
	}
	if (abm_state_merge(&a->st, b, rowbuf, rowcap, &err) != ABM_OK)
		abm_state_report(&err);
	if (rowbuf != NULL)
		a->rowcap = rowcap;
}

/* rollup(state): transition that merges one stored state into the group's. */
Datum
abm_state_rollup_common(FunctionCallInfo fcinfo, const abm_state_schema *schema)
{
	MemoryContext aggcontext;
	AbmAggState *a;
	abm_state	b;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("rollup(%s) transition function called outside an aggregate", schema->type_name)));
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	a = abm_agg_mutable(fcinfo, 0, schema);
	abm_state_from_datum(PG_GETARG_DATUM(1), schema, &b);
	merge_into(a, &b, aggcontext);
	PG_RETURN_POINTER(a);
}

/*
 * Inverse of the rollup transition, for sliding windows over stored states.
 * Returns NULL, which makes the executor recompute the frame, for a state
 * kind that cannot be taken apart (see abm_state_subtract).
 */
Datum
abm_state_rollup_inv_common(FunctionCallInfo fcinfo, const abm_state_schema *schema)
{
	AbmAggState *a;
	abm_state	b;
	abm_error	err;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	a = abm_agg_mutable(fcinfo, 0, schema);
	abm_state_from_datum(PG_GETARG_DATUM(1), schema, &b);
	switch (abm_state_subtract(&a->st, &b, &err))
	{
		case ABM_OK:
			PG_RETURN_POINTER(a);
		case ABM_ERR_MISMATCH:
			PG_RETURN_NULL();
		default:
			abm_state_report(&err);
	}
	PG_RETURN_NULL();			/* not reached */
}

/*
 * Combine two partial states (parallel workers, partitionwise aggregation).
 * Two packed states stay packed while their sums fit.  The parameter must
 * agree; a partial that never saw it has NaN.
 */
PG_FUNCTION_INFO_V1(abm_state_combine);
Datum
abm_state_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	Datum		bd;
	AbmAggState *a;
	abm_state	scratch;
	const abm_state *b;
	double		bparam;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("abm combine function called outside an aggregate")));
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	bd = PG_GETARG_DATUM(1);
	if (abm_agg_is_packed(bd))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_DATUM(bd);
		if (abm_agg_is_packed(PG_GETARG_DATUM(0)))
		{
			Datum		ad = PG_GETARG_DATUM(0);
			int			i;
			bool		fits = ((ad ^ bd) & 0xf) == 0;	/* same kind */

			for (i = 0; fits && i < 3; i++)
				fits = abm_packed_count(ad, i) + abm_packed_count(bd, i) <= ABM_PACK_MAX;
			if (fits)
				PG_RETURN_DATUM(ad + (bd & ~(Datum) 0xf));
		}
	}
	b = abm_agg_view(bd, &scratch, &bparam);
	a = abm_agg_mutable(fcinfo, 0, b->schema);

	if (isnan(a->param))
		a->param = bparam;
	else if (!isnan(bparam) && a->param != bparam)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine %s partial states computed with different parameters %g and %g",
						a->st.schema->type_name, a->param, bparam)));
	merge_into(a, b, aggcontext);
	PG_RETURN_POINTER(a);
}

/*
 * Partial state as bytea: kind tag, parameter (IEEE bits), binary form.
 * Travels between parallel workers and, on sharded engines, between nodes.
 */
PG_FUNCTION_INFO_V1(abm_state_serialize);
Datum
abm_state_serialize(PG_FUNCTION_ARGS)
{
	abm_state	scratch;
	double		param;
	const abm_state *st = abm_agg_view(PG_GETARG_DATUM(0), &scratch, &param);
	size_t		len = abm_state_binary_size(st);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, st->schema->kind);
	pq_sendfloat8(&buf, param);
	enlargeStringInfo(&buf, (int) len);
	abm_state_to_binary(st, (uint8 *) buf.data + buf.len);
	buf.len += (int) len;
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(abm_state_deserialize);
Datum
abm_state_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	const uint8 *p = (const uint8 *) VARDATA_ANY(bytes);
	size_t		len = VARSIZE_ANY_EXHDR(bytes);
	const abm_state_schema *schema;
	AbmAggState *s;
	abm_error	err;
	uint32		maxrows;
	uint64		param_bits = 0;
	int			i;
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("abm deserialize function called outside an aggregate")));
	schema = len >= 9 ? abm_state_schema_by_kind(p[0]) : NULL;
	if (schema == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("malformed abm partial aggregate state")));
	s = abm_agg_state_new(fcinfo, schema);
	for (i = 1; i <= 8; i++)
		param_bits = (param_bits << 8) | p[i];
	memcpy(&s->param, &param_bits, sizeof(double));
	maxrows = abm_state_binary_max_rows(schema, len - 9);
	if (maxrows > 0)
		s->st.rows = MemoryContextAlloc(aggcontext, sizeof(int64) * maxrows * schema->ncols);
	s->rowcap = maxrows;
	if (abm_state_from_binary(schema, p + 9, len - 9, &s->st, s->st.rows, maxrows, &err) != ABM_OK)
		abm_state_report(&err);
	PG_RETURN_POINTER(s);
}
