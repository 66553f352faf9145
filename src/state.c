/*
 * state.c — validation, merge, text and binary forms of mergeable states.
 * See state.h for the formats.
 */
#include "state.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static abm_status fail(abm_error *err, abm_status status, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static abm_status
fail(abm_error *err, abm_status status, const char *fmt,...)
{
	if (err != NULL)
	{
		va_list		ap;

		err->status = status;
		va_start(ap, fmt);
		vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
		va_end(ap);
	}
	return status;
}

void
abm_state_init(abm_state *s, const abm_state_schema *schema)
{
	int			i;

	/* touches only the schema's scalars: s may be ABM_STATE_SIZE() bytes */
	s->schema = schema;
	s->rows = NULL;
	s->nrows = 0;
	for (i = 0; i < schema->nscalars; i++)
	{
		switch (schema->scalars[i].merge)
		{
			case ABM_MERGE_SUM:
				s->scalar[i] = 0;
				break;
			case ABM_MERGE_MIN:
				s->scalar[i] = INT64_MAX;
				break;
			case ABM_MERGE_MAX:
				s->scalar[i] = INT64_MIN;
				break;
		}
	}
}

abm_status
abm_state_validate(const abm_state *s, abm_error *err)
{
	const abm_state_schema *sch = s->schema;
	int			i,
				c;
	uint32_t	r;

	for (i = 0; i < sch->nscalars; i++)
		if (sch->scalars[i].nonnegative && s->scalar[i] < 0)
			return fail(err, ABM_ERR_RANGE, "%s must not be negative, found %" PRId64 ".",
						sch->scalars[i].name, s->scalar[i]);

	if (sch->ncols == 0 && s->nrows != 0)
		return fail(err, ABM_ERR_SYNTAX, "%s has no rows.", sch->type_name);

	for (r = 0; r < s->nrows; r++)
	{
		const int64_t *row = s->rows + (size_t) r * sch->ncols;

		if (r > 0 && row[0] <= row[-sch->ncols])
			return fail(err, ABM_ERR_SYNTAX,
						"%s values must be distinct and increasing, found %" PRId64 " after %" PRId64 ".",
						sch->col_names[0], row[0], row[-sch->ncols]);
		for (c = 1; c < sch->ncols; c++)
			if (row[c] < 0)
				return fail(err, ABM_ERR_RANGE, "%s must not be negative, found %" PRId64 ".",
							sch->col_names[c], row[c]);
	}

	if (sch->check != NULL)
		return sch->check(s, err);
	return ABM_OK;
}

static abm_status
add_checked(int64_t a, int64_t b, int64_t *out, const char *name, abm_error *err)
{
	if (__builtin_add_overflow(a, b, out) || *out < 0)
		return fail(err, ABM_ERR_RANGE, "%s would exceed %" PRId64 ".", name, INT64_MAX);
	return ABM_OK;
}

abm_status
abm_state_add(abm_state *s, int field, int64_t delta, abm_error *err)
{
	return add_checked(s->scalar[field], delta, &s->scalar[field],
					   s->schema->scalars[field].name, err);
}

abm_status
abm_state_merge(abm_state *into, const abm_state *from,
				int64_t *rowbuf, uint32_t rowcap, abm_error *err)
{
	const abm_state_schema *sch = into->schema;
	int			i,
				c;
	uint32_t	a = 0,
				b = 0,
				n = 0;

	if (from->schema != sch)
		return fail(err, ABM_ERR_MISMATCH, "cannot merge %s with %s.",
					sch->type_name, from->schema->type_name);

	for (i = 0; i < sch->nscalars; i++)
	{
		int64_t		x = into->scalar[i],
					y = from->scalar[i];

		switch (sch->scalars[i].merge)
		{
			case ABM_MERGE_SUM:
				if (add_checked(x, y, &into->scalar[i], sch->scalars[i].name, err) != ABM_OK)
					return ABM_ERR_RANGE;
				break;
			case ABM_MERGE_MIN:
				into->scalar[i] = x < y ? x : y;
				break;
			case ABM_MERGE_MAX:
				into->scalar[i] = x > y ? x : y;
				break;
		}
	}

	if (sch->ncols == 0 || from->nrows == 0)
		return sch->check != NULL ? sch->check(into, err) : ABM_OK;
	if ((uint64_t) into->nrows + from->nrows > rowcap)
		return fail(err, ABM_ERR_RANGE, "merged %s needs more rows than provided.", sch->type_name);

	/* Union of the keys, both sides sorted; counts of equal keys are added. */
	while (a < into->nrows || b < from->nrows)
	{
		const int64_t *ra = a < into->nrows ? into->rows + (size_t) a * sch->ncols : NULL;
		const int64_t *rb = b < from->nrows ? from->rows + (size_t) b * sch->ncols : NULL;
		int64_t    *out = rowbuf + (size_t) n * sch->ncols;

		if (rb == NULL || (ra != NULL && ra[0] < rb[0]))
		{
			memcpy(out, ra, sizeof(int64_t) * sch->ncols);
			a++;
		}
		else if (ra == NULL || rb[0] < ra[0])
		{
			memcpy(out, rb, sizeof(int64_t) * sch->ncols);
			b++;
		}
		else
		{
			out[0] = ra[0];
			for (c = 1; c < sch->ncols; c++)
				if (add_checked(ra[c], rb[c], &out[c], sch->col_names[c], err) != ABM_OK)
					return ABM_ERR_RANGE;
			a++;
			b++;
		}
		n++;
	}
	into->rows = rowbuf;
	into->nrows = n;
	return sch->check != NULL ? sch->check(into, err) : ABM_OK;
}

abm_status
abm_state_subtract(abm_state *into, const abm_state *from, abm_error *err)
{
	const abm_state_schema *sch = into->schema;
	int			i;

	if (from->schema != sch || sch->ncols != 0)
		return fail(err, ABM_ERR_MISMATCH, "%s states cannot be taken apart.", sch->type_name);
	for (i = 0; i < sch->nscalars; i++)
		if (sch->scalars[i].merge != ABM_MERGE_SUM)
			return fail(err, ABM_ERR_MISMATCH, "%s states cannot be taken apart.", sch->type_name);
	for (i = 0; i < sch->nscalars; i++)
		if (from->scalar[i] > into->scalar[i])
			return fail(err, ABM_ERR_RANGE, "%s would become negative.", sch->scalars[i].name);
	for (i = 0; i < sch->nscalars; i++)
		into->scalar[i] -= from->scalar[i];
	return ABM_OK;
}

/* ---- binary form ---- */

static void
put64(uint8_t *p, int64_t v)
{
	uint64_t	u = (uint64_t) v;
	int			i;

	for (i = 7; i >= 0; i--)
	{
		p[i] = (uint8_t) (u & 0xff);
		u >>= 8;
	}
}

static int64_t
get64(const uint8_t *p)
{
	uint64_t	u = 0;
	int			i;

	for (i = 0; i < 8; i++)
		u = (u << 8) | p[i];
	return (int64_t) u;
}

static size_t
binary_header_size(const abm_state_schema *sch)
{
	return 1 + 8 * (size_t) sch->nscalars + (sch->ncols > 0 ? 4 : 0);
}

size_t
abm_state_binary_size(const abm_state *s)
{
	return binary_header_size(s->schema) + 8 * (size_t) s->nrows * s->schema->ncols;
}

void
abm_state_to_binary(const abm_state *s, uint8_t *out)
{
	const abm_state_schema *sch = s->schema;
	size_t		i,
				ncells = (size_t) s->nrows * sch->ncols;

	*out++ = sch->version;
	for (i = 0; i < (size_t) sch->nscalars; i++, out += 8)
		put64(out, s->scalar[i]);
	if (sch->ncols == 0)
		return;
	out[0] = (uint8_t) (s->nrows >> 24);
	out[1] = (uint8_t) (s->nrows >> 16);
	out[2] = (uint8_t) (s->nrows >> 8);
	out[3] = (uint8_t) s->nrows;
	out += 4;
	for (i = 0; i < ncells; i++, out += 8)
		put64(out, s->rows[i]);
}

uint32_t
abm_state_binary_max_rows(const abm_state_schema *sch, size_t len)
{
	size_t		head = binary_header_size(sch);

	if (sch->ncols == 0 || len <= head)
		return 0;
	return (uint32_t) ((len - head) / (8 * (size_t) sch->ncols));
}

static abm_status
check_version(const abm_state_schema *sch, int version, abm_error *err)
{
	if (version != sch->version)
		return fail(err, ABM_ERR_VERSION,
					"%s format version %d is not supported; this version of abm reads version %d.",
					sch->type_name, version, sch->version);
	return ABM_OK;
}

abm_status
abm_state_from_binary(const abm_state_schema *sch, const uint8_t *in, size_t len,
					  abm_state *out, int64_t *rowbuf, uint32_t rowcap,
					  abm_error *err)
{
	size_t		head = binary_header_size(sch);
	size_t		i,
				ncells;
	uint32_t	nrows = 0;

	abm_state_init(out, sch);
	if (len < 1)
		return fail(err, ABM_ERR_SYNTAX, "%s binary form is empty.", sch->type_name);
	if (check_version(sch, in[0], err) != ABM_OK)
		return ABM_ERR_VERSION;
	if (len < head)
		return fail(err, ABM_ERR_SYNTAX, "%s binary form has %zu bytes, expected at least %zu.",
					sch->type_name, len, head);
	for (i = 0; i < (size_t) sch->nscalars; i++)
		out->scalar[i] = get64(in + 1 + 8 * i);
	if (sch->ncols > 0)
	{
		const uint8_t *p = in + head - 4;

		nrows = ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
			((uint32_t) p[2] << 8) | p[3];
	}
	if ((len - head) / 8 / (sch->ncols > 0 ? sch->ncols : 1) != nrows ||
		(len - head) % (8 * (size_t) (sch->ncols > 0 ? sch->ncols : 1)) != 0)
		return fail(err, ABM_ERR_SYNTAX, "%s binary form has %zu bytes, which does not match its %u rows.",
					sch->type_name, len, nrows);
	if (nrows > rowcap)
		return fail(err, ABM_ERR_RANGE, "%s has more rows than provided for.", sch->type_name);
	ncells = (size_t) nrows * sch->ncols;
	for (i = 0; i < ncells; i++)
		rowbuf[i] = get64(in + head + 8 * i);
	out->nrows = nrows;
	out->rows = nrows > 0 ? rowbuf : NULL;
	return abm_state_validate(out, err);
}

/* ---- text form ---- */

typedef struct text_out
{
	char	   *buf;
	size_t		size;
	size_t		len;
} text_out;

static void emit(text_out *o, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
emit(text_out *o, const char *fmt,...)
{
	va_list		ap;
	int			n;
	int			room = o->len < o->size;

	/* straight into the caller's buffer; past its end only the length counts */
	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room ? o->size - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t) n;
}

size_t
abm_state_to_text(const abm_state *s, char *buf, size_t bufsize)
{
	const abm_state_schema *sch = s->schema;
	text_out	o = {buf, bufsize, 0};
	int			i,
				c;
	uint32_t	r;

	if (bufsize > 0)
		buf[0] = '\0';
	emit(&o, "v%d", sch->version);
	for (i = 0; i < sch->nscalars; i++)
		emit(&o, " %s=%" PRId64, sch->scalars[i].name, s->scalar[i]);
	if (sch->ncols > 0)
	{
		emit(&o, " rows=[");
		for (r = 0; r < s->nrows; r++)
			for (c = 0; c < sch->ncols; c++)
				emit(&o, "%s%" PRId64, c > 0 ? ":" : (r > 0 ? "," : ""),
					 s->rows[(size_t) r * sch->ncols + c]);
		emit(&o, "]");
	}
	return o.len;
}

uint32_t
abm_state_text_max_rows(const abm_state_schema *sch, size_t len)
{
	/* each row takes at least ncols digits and ncols separators */
	if (sch->ncols == 0)
		return 0;
	return (uint32_t) (len / (2 * (size_t) sch->ncols) + 1);
}

typedef struct text_in
{
	const char *p;
	const char *end;
} text_in;

static int
accept_str(text_in *in, const char *word)
{
	size_t		n = strlen(word);

	if ((size_t) (in->end - in->p) >= n && memcmp(in->p, word, n) == 0)
	{
		in->p += n;
		return 1;
	}
	return 0;
}

/* A decimal int64: optional '-', 1..19 digits, no leading '+', no overflow. */
static abm_status
read_int64(text_in *in, int64_t *out, const abm_state_schema *sch, const char *what, abm_error *err)
{
	int			neg = 0;
	uint64_t	u = 0;
	uint64_t	limit;
	int			digits = 0;

	if (in->p < in->end && *in->p == '-')
	{
		neg = 1;
		in->p++;
	}
	limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
	while (in->p < in->end && *in->p >= '0' && *in->p <= '9')
	{
		unsigned	d = (unsigned) (*in->p - '0');

		if (u > (limit - d) / 10)
			return fail(err, ABM_ERR_RANGE, "%s value of %s is out of range for a 64-bit integer.",
						sch->type_name, what);
		u = u * 10 + d;
		in->p++;
		digits++;
	}
	if (digits == 0)
		return fail(err, ABM_ERR_SYNTAX, "%s expects an integer for %s.", sch->type_name, what);
	*out = neg ? (int64_t) (0 - u) : (int64_t) u;
	return ABM_OK;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

abm_status
abm_state_from_text(const abm_state_schema *sch, const char *text, size_t len,
					abm_state *out, int64_t *rowbuf, uint32_t rowcap,
					abm_error *err)
{
	text_in		in = {text, text + len};
	int64_t		version;
	int			i,
				c;
	abm_status	st;

	abm_state_init(out, sch);
	while (in.p < in.end && is_blank(*in.p))
		in.p++;
	while (in.end > in.p && is_blank(in.end[-1]))
		in.end--;

	if (!accept_str(&in, "v"))
		return fail(err, ABM_ERR_SYNTAX, "%s text must start with a format version such as \"v%d\".",
					sch->type_name, sch->version);
	if ((st = read_int64(&in, &version, sch, "the format version", err)) == ABM_ERR_SYNTAX)
		return st;
	if (st != ABM_OK)
		return fail(err, ABM_ERR_VERSION, "%s format version is not supported; this version of abm reads version %d.",
					sch->type_name, sch->version);
	if (version < 0 || version > 255)
		return fail(err, ABM_ERR_VERSION, "%s format version %" PRId64 " is not supported; this version of abm reads version %d.",
					sch->type_name, version, sch->version);
	if (check_version(sch, (int) version, err) != ABM_OK)
		return ABM_ERR_VERSION;

	for (i = 0; i < sch->nscalars; i++)
	{
		const char *name = sch->scalars[i].name;

		if (!accept_str(&in, " ") || !accept_str(&in, name) || !accept_str(&in, "="))
			return fail(err, ABM_ERR_SYNTAX, "%s expects \" %s=\" as field %d.", sch->type_name, name, i + 1);
		if ((st = read_int64(&in, &out->scalar[i], sch, name, err)) != ABM_OK)
			return st;
	}

	if (sch->ncols > 0)
	{
		if (!accept_str(&in, " rows=["))
			return fail(err, ABM_ERR_SYNTAX, "%s expects \" rows=[\" after its fields.", sch->type_name);
		out->rows = rowbuf;
		while (!accept_str(&in, "]"))
		{
			int64_t    *row;

			if (out->nrows > 0 && !accept_str(&in, ","))
				return fail(err, ABM_ERR_SYNTAX, "%s expects \",\" or \"]\" after row %u.",
							sch->type_name, out->nrows);
			if (out->nrows >= rowcap)
				return fail(err, ABM_ERR_SYNTAX, "%s has more rows than its text can hold.", sch->type_name);
			row = rowbuf + (size_t) out->nrows * sch->ncols;
			for (c = 0; c < sch->ncols; c++)
			{
				if (c > 0 && !accept_str(&in, ":"))
					return fail(err, ABM_ERR_SYNTAX, "%s expects \":\" before %s in row %u.",
								sch->type_name, sch->col_names[c], out->nrows + 1);
				if ((st = read_int64(&in, &row[c], sch, sch->col_names[c], err)) != ABM_OK)
					return st;
			}
			out->nrows++;
		}
		if (out->nrows == 0)
			out->rows = NULL;
	}

	if (in.p != in.end)
		return fail(err, ABM_ERR_SYNTAX, "%s text has unexpected characters after its last field.",
					sch->type_name);
	return abm_state_validate(out, err);
}
