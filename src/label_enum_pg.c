/*
 * label_enum_pg.c — SQL glue of the small ordered enumeration types.
 *
 * A value is one byte, the label's code; codes grow with the label order, so
 * the comparison, hash and min/max functions below serve every enumeration
 * type: the SQL script binds them to each type.  Only input and output need
 * the label table, through ABM_ENUM_TYPE.
 */
#include "abm_pg.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"


static void
report_bad_label(const abm_label_enum *e, const char *text)
{
	char		list[512];

	abm_enum_list(e, list, sizeof(list));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", e->type_name, text),
			 errdetail("Valid labels, in order: %s.", list),
			 errhint("Input ignores case and surrounding blanks, and also accepts the aliases listed in the abm documentation.")));
}

Datum
abm_enum_in_common(FunctionCallInfo fcinfo, const abm_label_enum *e)
{
	const char *text = PG_GETARG_CSTRING(0);
	int			code = abm_enum_parse(e, text, strlen(text));

	if (code < 0)
		report_bad_label(e, text);
	PG_RETURN_CHAR((char) code);
}

const abm_label *
abm_enum_label_of(const abm_label_enum *e, Datum value)
{
	uint8		code = DatumGetUInt8(value);
	const abm_label *lab = abm_enum_lookup(e, code);

	if (lab == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid stored value %u for type %s", code, e->type_name)));
	return lab;
}

Datum
abm_enum_out_common(FunctionCallInfo fcinfo, const abm_label_enum *e)
{
	PG_RETURN_CSTRING(pstrdup(abm_enum_label_of(e, PG_GETARG_DATUM(0))->name));
}

/* The binary form is the label text, as for PostgreSQL's own enums. */
Datum
abm_enum_recv_common(FunctionCallInfo fcinfo, const abm_label_enum *e)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			nbytes;
	char	   *text = pq_getmsgtext(buf, buf->len - buf->cursor, &nbytes);
	int			code;

	if ((size_t) nbytes != strlen(text))
		report_bad_label(e, text);
	code = abm_enum_parse(e, text, (size_t) nbytes);
	if (code < 0)
		report_bad_label(e, text);
	pfree(text);
	PG_RETURN_CHAR((char) code);
}

Datum
abm_enum_send_common(FunctionCallInfo fcinfo, const abm_label_enum *e)
{
	const abm_label *lab = abm_enum_label_of(e, PG_GETARG_DATUM(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendtext(&buf, lab->name, strlen(lab->name));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Every label of the type, in order, as an array of the type. */
Datum
abm_enum_labels_common(FunctionCallInfo fcinfo, const abm_label_enum *e)
{
	Oid			array_type = get_fn_expr_rettype(fcinfo->flinfo);
	Oid			elem_type = OidIsValid(array_type) ? get_element_type(array_type) : InvalidOid;
	Datum	   *codes;
	int			i;

	if (!OidIsValid(elem_type))
		elog(ERROR, "could not determine the element type of %s_labels()", e->type_name);
	codes = palloc(sizeof(Datum) * e->nlabels);
	for (i = 0; i < e->nlabels; i++)
		codes[i] = CharGetDatum((char) e->labels[i].code);
	PG_RETURN_ARRAYTYPE_P(construct_array(codes, e->nlabels, elem_type, 1, true, TYPALIGN_CHAR));
}

/* ---- shared by every enumeration type ---- */

#define ARG_CODE(n) DatumGetUInt8(PG_GETARG_DATUM(n))

#define ENUM_COMPARE(fname, op) \
	PG_FUNCTION_INFO_V1(fname); \
	Datum fname(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(ARG_CODE(0) op ARG_CODE(1)); }

ENUM_COMPARE(abm_enum_eq, ==)
ENUM_COMPARE(abm_enum_ne, !=)
ENUM_COMPARE(abm_enum_lt, <)
ENUM_COMPARE(abm_enum_le, <=)
ENUM_COMPARE(abm_enum_gt, >)
ENUM_COMPARE(abm_enum_ge, >=)

PG_FUNCTION_INFO_V1(abm_enum_cmp);
Datum
abm_enum_cmp(PG_FUNCTION_ARGS)
{
	int			a = ARG_CODE(0),
				b = ARG_CODE(1);

	PG_RETURN_INT32((a > b) - (a < b));
}

PG_FUNCTION_INFO_V1(abm_enum_hash);
Datum
abm_enum_hash(PG_FUNCTION_ARGS)
{
	return hash_uint32((uint32) ARG_CODE(0));
}

PG_FUNCTION_INFO_V1(abm_enum_hash_extended);
Datum
abm_enum_hash_extended(PG_FUNCTION_ARGS)
{
	return hash_uint32_extended((uint32) ARG_CODE(0), PG_GETARG_INT64(1));
}

PG_FUNCTION_INFO_V1(abm_enum_larger);
Datum
abm_enum_larger(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(ARG_CODE(0) >= ARG_CODE(1) ? PG_GETARG_DATUM(0) : PG_GETARG_DATUM(1));
}

PG_FUNCTION_INFO_V1(abm_enum_smaller);
Datum
abm_enum_smaller(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(ARG_CODE(0) <= ARG_CODE(1) ? PG_GETARG_DATUM(0) : PG_GETARG_DATUM(1));
}
