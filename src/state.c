/*
 * state.c — validation, merge, text and binary forms of mergeable states.
 * See state.h for the formats.
 */
#include "state.h"
#include "money.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void format_double(double d, char *buf);

abm_status
abm_fail(abm_error *err, abm_status status, const char *fmt,...)
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

int
abm_schema_ncounts(const abm_state_schema *sch)
{
	int			i;

	for (i = 0; i < sch->nscalars && sch->scalars[i].kind == ABM_FIELD_COUNT; i++)
		;
	return i;
}

int
abm_schema_nmoney(const abm_state_schema *sch)
{
	return sch->nscalars - abm_schema_ncounts(sch);
}

size_t
abm_state_size(const abm_state_schema *sch)
{
	return abm_schema_nmoney(sch) > 0 ? sizeof(abm_state) : ABM_STATE_SIZE(sch->nscalars);
}

size_t
abm_state_ncells(const abm_state *s)
{
	int			nc = abm_schema_ncounts(s->schema);

	return (size_t) nc + (size_t) (s->schema->nscalars - nc) * (size_t) s->money_words;
}

/* With money fields or money columns: a state that carries a money word. */
static int
has_money(const abm_state_schema *sch)
{
	return abm_schema_ncounts(sch) < sch->nscalars || sch->nmoneycols > 0;
}

/* Cells of a row at this money width. */
static size_t
stride_of(const abm_state_schema *sch, int words)
{
	return (size_t) sch->ncols + (size_t) sch->nmoneycols * (size_t) (words > 1 ? words - 1 : 0);
}

size_t
abm_state_row_cells(const abm_state *s)
{
	return stride_of(s->schema, s->money_words);
}

/* The first money column (ncols when there is none). */
static int
first_money_col(const abm_state_schema *sch)
{
	return sch->ncols - sch->nmoneycols;
}

static void
row_money(const abm_state_schema *sch, const int64_t *row, int col, int words, int scale, abm_money *out)
{
	int			fc = first_money_col(sch);

	abm_money_from_cells(row + fc + (size_t) (col - fc) * words, words, scale, out);
}

void
abm_state_row_money(const abm_state *s, uint32_t r, int col, abm_money *out)
{
	row_money(s->schema, s->rows + (size_t) r * abm_state_row_cells(s), col, s->money_words,
			  s->money_scale, out);
}

/* ---- money fields ---- */

void
abm_state_get_money(const abm_state *s, int field, abm_money *out)
{
	int			nc = abm_schema_ncounts(s->schema);

	abm_money_from_cells(s->scalar + nc + (size_t) (field - nc) * s->money_words,
						 s->money_words, s->money_scale, out);
}

static void
money_get_all(const abm_state *s, abm_money *vals)
{
	int			nc = abm_schema_ncounts(s->schema),
				j;

	for (j = 0; j < s->schema->nscalars - nc; j++)
		abm_state_get_money(s, nc + j, &vals[j]);
}

/*
 * Store vals as the state's money fields: at the largest of their scales
 * and the state's (a scale never falls), in the fewest words that hold
 * them all (at least 2).  vals are rescaled in place.
 */
static abm_status
money_put_all(abm_state *s, abm_money *vals, abm_error *err)
{
	int			nc = abm_schema_ncounts(s->schema),
				nm = s->schema->nscalars - nc,
				scale = s->money_scale,
				words = 2,
				j;

	for (j = 0; j < nm; j++)
		if (vals[j].scale > scale)
			scale = vals[j].scale;
	for (j = 0; j < nm; j++)
	{
		if (abm_money_rescale(&vals[j], scale, err) != ABM_OK)
			return ABM_ERR_LIMIT;
		if (abm_money_words(&vals[j]) > words)
			words = abm_money_words(&vals[j]);
	}
	if (words > ABM_MONEY_MAX_WORDS)
		return abm_fail(err, ABM_ERR_LIMIT, "%s amounts would need more than %d bits.",
						s->schema->type_name, 64 * ABM_MONEY_MAX_WORDS - 1);
	for (j = 0; j < nm; j++)
		abm_money_to_cells(&vals[j], s->scalar + nc + (size_t) j * words, words);
	s->money_scale = scale;
	s->money_words = words;
	return ABM_OK;
}

abm_status
abm_state_add_money(abm_state *s, int field, const abm_money *v, int sign, abm_error *err)
{
	abm_money	vals[ABM_STATE_MAX_MONEY];
	int			j = field - abm_schema_ncounts(s->schema);

	money_get_all(s, vals);
	if (abm_money_add(&vals[j], v, sign, err) != ABM_OK)
		return ABM_ERR_LIMIT;
	if (s->schema->scalars[field].nonnegative && abm_money_sign(&vals[j]) < 0)
		return abm_fail(err, ABM_ERR_RANGE, "%s would become negative.", s->schema->scalars[field].name);
	return money_put_all(s, vals, err);
}

abm_status
abm_state_money_scale_at_least(abm_state *s, int scale, abm_error *err)
{
	abm_money	vals[ABM_STATE_MAX_MONEY];

	if (scale <= s->money_scale || abm_schema_nmoney(s->schema) == 0)
		return ABM_OK;
	money_get_all(s, vals);
	s->money_scale = scale;		/* money_put_all rescales every amount to it */
	return money_put_all(s, vals, err);
}

/* The money fields' own rules: scale, width in its shortest form, signs. */
static abm_status
money_validate(const abm_state *s, abm_error *err)
{
	const abm_state_schema *sch = s->schema;
	int			nc = abm_schema_ncounts(sch),
				words = 2,
				j;
	abm_money	m;

	if (!has_money(sch))
	{
		if (s->money_words != 0 || s->money_scale != 0)
			return abm_fail(err, ABM_ERR_SYNTAX, "%s has no money fields.", sch->type_name);
		return ABM_OK;
	}
	if (s->money_words < 2 || s->money_words > ABM_MONEY_MAX_WORDS)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s amounts are %d words wide, expected 2 to %d.",
						sch->type_name, s->money_words, ABM_MONEY_MAX_WORDS);
	if (s->money_scale < 0 || s->money_scale > ABM_MONEY_MAX_SCALE)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s amounts have scale %d, expected 0 to %d.",
						sch->type_name, s->money_scale, ABM_MONEY_MAX_SCALE);
	for (j = nc; j < sch->nscalars; j++)
	{
		abm_state_get_money(s, j, &m);
		if (sch->scalars[j].nonnegative && abm_money_sign(&m) < 0)
		{
			char		num[64];

			abm_money_to_text(&m, num, sizeof(num));
			return abm_fail(err, ABM_ERR_RANGE, "%s must not be negative, found %s.", sch->scalars[j].name, num);
		}
		if (abm_money_words(&m) > words)
			words = abm_money_words(&m);
	}
	if (sch->nmoneycols > 0)
	{
		uint32_t	r;
		int			c;

		if (s->nrows == 0 && s->money_scale != 0)
			return abm_fail(err, ABM_ERR_SYNTAX, "%s without rows has scale 0, found %d.",
							sch->type_name, s->money_scale);
		for (r = 0; r < s->nrows; r++)
			for (c = first_money_col(sch); c < sch->ncols; c++)
			{
				abm_state_row_money(s, r, c, &m);
				if (abm_money_words(&m) > words)
					words = abm_money_words(&m);
			}
	}
	if (words != s->money_words)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s amounts take %d words where %d hold them.",
						sch->type_name, s->money_words, words);
	return ABM_OK;
}

void
abm_state_init(abm_state *s, const abm_state_schema *schema)
{
	int			i,
				nc = abm_schema_ncounts(schema);

	/* touches only the schema's scalars: s may be ABM_STATE_SIZE() bytes */
	s->schema = schema;
	s->rows = NULL;
	s->nrows = 0;
	s->has_param = 0;
	s->param = 0;
	s->money_scale = 0;
	s->money_words = has_money(schema) ? 2 : 0;
	memset(s->scalar + nc, 0, sizeof(int64_t) * (size_t) (schema->nscalars - nc) * s->money_words);
	for (i = 0; i < nc; i++)
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
			case ABM_MERGE_SAME:
				s->scalar[i] = ABM_UNSET;
				break;
		}
	}
}

abm_status
abm_state_validate(const abm_state *s, abm_error *err)
{
	const abm_state_schema *sch = s->schema;
	int			i,
				c,
				nc = abm_schema_ncounts(sch);
	uint32_t	r;
	abm_status	st;

	for (i = 0; i < nc; i++)
		if (sch->scalars[i].nonnegative && s->scalar[i] < 0)
			return abm_fail(err, ABM_ERR_RANGE, "%s must not be negative, found %" PRId64 ".",
						sch->scalars[i].name, s->scalar[i]);

	if (sch->ncols == 0 && s->nrows != 0)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s has no rows.", sch->type_name);
	if (s->has_param && sch->param_name == NULL)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s carries no parameter.", sch->type_name);
	if (s->has_param && !isfinite(s->param))
		return abm_fail(err, ABM_ERR_RANGE, "%s must be a finite number.", sch->param_name);
	if ((st = money_validate(s, err)) != ABM_OK)
		return st;

	for (r = 0; r < s->nrows; r++)
	{
		size_t		st = abm_state_row_cells(s);
		const int64_t *row = s->rows + (size_t) r * st;
		const int64_t *prev = row - st;

		if (sch->key_is_float)
		{
			double		d = abm_float_of_key(row[0]);

			if (!isfinite(d) || abm_float_key(d) != row[0])
				return abm_fail(err, ABM_ERR_RANGE, "%s must be a finite number.", sch->col_names[0]);
			if (r > 0 && row[0] <= prev[0])
			{
				char		a[32],
							b[32];

				format_double(d, a);
				format_double(abm_float_of_key(prev[0]), b);
				return abm_fail(err, ABM_ERR_SYNTAX, "%s values must be distinct and increasing, found %s after %s.",
							sch->col_names[0], a, b);
			}
		}
		else if (r > 0 && row[0] <= prev[0])
			return abm_fail(err, ABM_ERR_SYNTAX,
						"%s values must be distinct and increasing, found %" PRId64 " after %" PRId64 ".",
						sch->col_names[0], row[0], prev[0]);
		for (c = 1; c < first_money_col(sch); c++)
			if (row[c] < 0)
				return abm_fail(err, ABM_ERR_RANGE, "%s must not be negative, found %" PRId64 ".",
							sch->col_names[c], row[c]);
		if (sch->nmoneycols > 0)
		{
			size_t		k;

			/* one value, one form: a row of zeros is no row */
			for (k = 1; k < st && row[k] == 0; k++)
				;
			if (k == st)
				return abm_fail(err, ABM_ERR_SYNTAX, "%s row %" PRId64 " has only zeros.",
								sch->type_name, row[0]);
		}
	}

	if (sch->check != NULL)
		return sch->check(s, err);
	return ABM_OK;
}

static abm_status
add_checked(int64_t a, int64_t b, int64_t *out, const char *name, abm_error *err)
{
	if (__builtin_add_overflow(a, b, out) || *out < 0)
		return abm_fail(err, ABM_ERR_RANGE, "%s would exceed %" PRId64 ".", name, INT64_MAX);
	return ABM_OK;
}

abm_status
abm_state_add(abm_state *s, int field, int64_t delta, abm_error *err)
{
	return add_checked(s->scalar[field], delta, &s->scalar[field],
					   s->schema->scalars[field].name, err);
}

/*
 * The rows of `into` and `from` merged by key, for a schema with money
 * columns: counts added, amounts added at the larger scale, rows that come
 * to all zeros left out.  A first pass finds the width and so the cells
 * needed (*need; with `measure` it stops there, changing nothing); a
 * second writes them.
 */
static abm_status
merge_money_rows(abm_state *into, const abm_state *from, int64_t *rowbuf, size_t cellcap,
				 size_t *need, int measure, abm_error *err)
{
	const abm_state_schema *sch = into->schema;
	int			fc = first_money_col(sch),
				scale = into->money_scale > from->money_scale ? into->money_scale : from->money_scale,
				words = 2,
				pass,
				c;
	size_t		sa = abm_state_row_cells(into),
				sb = abm_state_row_cells(from);
	uint32_t	n = 0;

	for (pass = 0; pass < 2; pass++)
	{
		uint32_t	a = 0,
					b = 0;
		size_t		st = stride_of(sch, words);

		n = 0;
		while (a < into->nrows || b < from->nrows)
		{
			const int64_t *ra = a < into->nrows ? into->rows + (size_t) a * sa : NULL;
			const int64_t *rb = b < from->nrows ? from->rows + (size_t) b * sb : NULL;
			int			take_a = rb == NULL || (ra != NULL && ra[0] <= rb[0]);
			int			take_b = ra == NULL || (rb != NULL && rb[0] <= ra[0]);
			int64_t		row[ABM_STATE_MAX_COLS * ABM_MONEY_MAX_WORDS];
			int64_t    *out = pass == 1 ? row : NULL;	/* kept only if not all zeros */
			int			nonzero = 0;

			for (c = 1; c < fc; c++)
			{
				int64_t		v;

				if (add_checked(take_a ? ra[c] : 0, take_b ? rb[c] : 0, &v, sch->col_names[c], err) != ABM_OK)
					return ABM_ERR_RANGE;
				nonzero |= v != 0;
				if (out != NULL)
					out[c] = v;
			}
			for (c = fc; c < sch->ncols; c++)
			{
				abm_money	m,
							y;

				abm_money_zero(&m, scale);
				if (take_a)
				{
					row_money(sch, ra, c, into->money_words, into->money_scale, &y);
					if (abm_money_add(&m, &y, 1, err) != ABM_OK)
						return ABM_ERR_LIMIT;
				}
				if (take_b)
				{
					row_money(sch, rb, c, from->money_words, from->money_scale, &y);
					if (abm_money_add(&m, &y, 1, err) != ABM_OK)
						return ABM_ERR_LIMIT;
				}
				nonzero |= abm_money_sign(&m) != 0;
				if (pass == 0 && abm_money_words(&m) > words)
					words = abm_money_words(&m);
				if (out != NULL)
					abm_money_to_cells(&m, out + fc + (size_t) (c - fc) * words, words);
			}
			if (out != NULL && nonzero)
			{
				out[0] = take_a ? ra[0] : rb[0];
				memcpy(rowbuf + (size_t) n * st, out, sizeof(int64_t) * st);
			}
			a += take_a;
			b += take_b;
			n += nonzero;
		}
		if (pass == 0)
		{
			if (words > ABM_MONEY_MAX_WORDS)
				return abm_fail(err, ABM_ERR_LIMIT, "%s amounts would need more than %d bits.",
								sch->type_name, 64 * ABM_MONEY_MAX_WORDS - 1);
			*need = (size_t) n * stride_of(sch, words);
			if (measure)
				return ABM_OK;
			if (*need > cellcap)
				return abm_fail(err, ABM_ERR_RANGE, "merged %s needs more cells than provided.", sch->type_name);
		}
	}
	into->rows = n > 0 ? rowbuf : NULL;
	into->nrows = n;
	into->money_scale = n > 0 ? scale : 0;
	into->money_words = 2;
	if (n > 0)
		into->money_words = words;
	return ABM_OK;
}

size_t
abm_state_merge_cells(const abm_state *into, const abm_state *from)
{
	size_t		need = 0;

	if (into->schema->ncols == 0 || from->nrows == 0)
		return 0;
	if (into->schema->nmoneycols == 0)
		return ((size_t) into->nrows + from->nrows) * (size_t) into->schema->ncols;
	/* measuring reads `into` and changes nothing */
	if (merge_money_rows((abm_state *) into, from, NULL, 0, &need, 1, NULL) != ABM_OK)
		return 0;				/* the merge itself will say why */
	return need;
}

abm_status
abm_state_pack_rows(abm_state *s, const int64_t *keys, const int64_t *counts,
					const abm_money *amounts, uint32_t nrows, int64_t *buf, size_t cellcap,
					abm_error *err)
{
	const abm_state_schema *sch = s->schema;
	int			fc = first_money_col(sch),
				ncounts = fc - 1,
				nm = sch->nmoneycols,
				scale = 0,
				words = 2,
				pass,
				c;
	uint32_t	r,
				n = 0;

	for (pass = 0; pass < 3; pass++)
	{
		size_t		st = stride_of(sch, words);

		n = 0;
		for (r = 0; r < nrows; r++)
		{
			int			nonzero = 0;

			for (c = 0; c < ncounts; c++)
				nonzero |= counts[(size_t) r * ncounts + c] != 0;
			for (c = 0; c < nm; c++)
			{
				nonzero |= abm_money_sign(&amounts[(size_t) r * nm + c]) != 0;
				/* the scale of every amount given, as merges and row sets keep it */
				if (pass == 0 && amounts[(size_t) r * nm + c].scale > scale)
					scale = amounts[(size_t) r * nm + c].scale;
			}
			if (!nonzero || pass == 0)
				continue;
			for (c = 0; c < nm; c++)
			{
				abm_money	m = amounts[(size_t) r * nm + c];

				if (abm_money_rescale(&m, scale, err) != ABM_OK)
					return ABM_ERR_LIMIT;
				if (pass == 1 && abm_money_words(&m) > words)
					words = abm_money_words(&m);
				if (pass == 2)
					abm_money_to_cells(&m, buf + (size_t) n * st + fc + (size_t) c * words, words);
			}
			if (pass == 2)
			{
				buf[(size_t) n * st] = keys[r];
				for (c = 0; c < ncounts; c++)
					buf[(size_t) n * st + 1 + c] = counts[(size_t) r * ncounts + c];
			}
			n++;
		}
		if (pass == 1)
		{
			if (words > ABM_MONEY_MAX_WORDS)
				return abm_fail(err, ABM_ERR_LIMIT, "%s amounts would need more than %d bits.",
								sch->type_name, 64 * ABM_MONEY_MAX_WORDS - 1);
			if ((size_t) n * stride_of(sch, words) > cellcap)
				return abm_fail(err, ABM_ERR_RANGE, "%s needs more cells than provided.", sch->type_name);
		}
	}
	s->rows = n > 0 ? buf : NULL;
	s->nrows = n;
	s->money_scale = n > 0 ? scale : 0;
	s->money_words = n > 0 ? words : 2;
	return abm_state_validate(s, err);
}

abm_status
abm_state_merge(abm_state *into, const abm_state *from,
				int64_t *rowbuf, size_t cellcap, abm_error *err)
{
	const abm_state_schema *sch = into->schema;
	int			i,
				c,
				nc = abm_schema_ncounts(sch);
	uint32_t	a = 0,
				b = 0,
				n = 0;

	if (from->schema != sch)
		return abm_fail(err, ABM_ERR_MISMATCH, "cannot merge %s with %s.",
					sch->type_name, from->schema->type_name);
	if (from->has_param)
	{
		if (into->has_param && into->param != from->param)
			return abm_fail(err, ABM_ERR_MISMATCH, "%s states with %s %.17g and %.17g cannot be merged.",
						sch->type_name, sch->param_name, into->param, from->param);
		into->has_param = 1;
		into->param = from->param;
	}

	if (nc < sch->nscalars)
	{
		abm_money	x[ABM_STATE_MAX_MONEY],
					y[ABM_STATE_MAX_MONEY];

		money_get_all(into, x);
		money_get_all(from, y);
		for (i = 0; i < sch->nscalars - nc; i++)
			if (abm_money_add(&x[i], &y[i], 1, err) != ABM_OK)
				return ABM_ERR_LIMIT;
		if (money_put_all(into, x, err) != ABM_OK)
			return ABM_ERR_LIMIT;
	}
	for (i = 0; i < nc; i++)
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
			case ABM_MERGE_SAME:
				if (y == ABM_UNSET)
					break;
				if (x != ABM_UNSET && x != y)
					return abm_fail(err, ABM_ERR_MISMATCH, "%s states with %s %" PRId64 " and %" PRId64 " cannot be merged.",
								sch->type_name, sch->scalars[i].name, x, y);
				into->scalar[i] = y;
				break;
		}
	}

	if (sch->ncols == 0 || from->nrows == 0)
		return sch->check != NULL ? sch->check(into, err) : ABM_OK;
	if (sch->nmoneycols > 0)
	{
		size_t		need;
		abm_status	st = merge_money_rows(into, from, rowbuf, cellcap, &need, 0, err);

		if (st != ABM_OK)
			return st;
		return sch->check != NULL ? sch->check(into, err) : ABM_OK;
	}
	if (((uint64_t) into->nrows + from->nrows) * (uint64_t) sch->ncols > cellcap)
		return abm_fail(err, ABM_ERR_RANGE, "merged %s needs more rows than provided.", sch->type_name);

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
	int			i,
				nc = abm_schema_ncounts(sch);
	abm_money	x[ABM_STATE_MAX_MONEY],
				y[ABM_STATE_MAX_MONEY];

	if (from->schema != sch || into->nrows != 0 || from->nrows != 0)
		return abm_fail(err, ABM_ERR_MISMATCH, "%s states cannot be taken apart.", sch->type_name);
	for (i = 0; i < nc; i++)
		if (sch->scalars[i].merge == ABM_MERGE_MIN || sch->scalars[i].merge == ABM_MERGE_MAX ||
			(sch->scalars[i].merge == ABM_MERGE_SAME && from->scalar[i] != ABM_UNSET &&
			 from->scalar[i] != into->scalar[i]))
			return abm_fail(err, ABM_ERR_MISMATCH, "%s states cannot be taken apart.", sch->type_name);
	if (from->has_param && (!into->has_param || into->param != from->param))
		return abm_fail(err, ABM_ERR_MISMATCH, "%s states with different %s cannot be taken apart.",
					sch->type_name, sch->param_name);
	for (i = 0; i < nc; i++)
		if (sch->scalars[i].merge == ABM_MERGE_SUM && from->scalar[i] > into->scalar[i])
			return abm_fail(err, ABM_ERR_RANGE, "%s would become negative.", sch->scalars[i].name);
	if (nc < sch->nscalars)
	{
		/* amounts: worked out aside, so that an error changes nothing */
		money_get_all(into, x);
		money_get_all(from, y);
		for (i = 0; i < sch->nscalars - nc; i++)
		{
			if (abm_money_add(&x[i], &y[i], -1, err) != ABM_OK)
				return ABM_ERR_LIMIT;
			if (sch->scalars[nc + i].nonnegative && abm_money_sign(&x[i]) < 0)
				return abm_fail(err, ABM_ERR_RANGE, "%s would become negative.", sch->scalars[nc + i].name);
		}
	}
	for (i = 0; i < nc; i++)
		if (sch->scalars[i].merge == ABM_MERGE_SUM)
			into->scalar[i] -= from->scalar[i];
	if (nc < sch->nscalars)
		return money_put_all(into, x, err);
	return ABM_OK;
}

/* ---- binary and native forms ---- */

/*
 * The three byte layouts differ only in byte order, in whether a flags byte
 * (and with it the parameter) is there, and in where the fields start; one
 * writer and one reader serve them all.
 */
typedef enum layout_kind
{
	LAYOUT_BINARY_V1,			/* abm 1.1: send/receive and the stored datum */
	LAYOUT_BINARY,				/* current send/receive form, big-endian */
	LAYOUT_NATIVE				/* current datum, machine byte order */
} layout_kind;

typedef struct layout
{
	layout_kind kind;
	size_t		scalars;		/* offset of the first scalar */
	size_t		param;			/* offset of the parameter, when flagged */
	size_t		nrows;			/* offset of the row count */
	size_t		cells;			/* offset of the first row cell */
} layout;

/*
 * Offsets of a state's fields in a layout; `in` is the start of the form.
 * `words` is the width of the state's amounts (unused without money).
 */
static layout
layout_of(layout_kind kind, const abm_state_schema *sch, int has_param, int words)
{
	layout		l;
	int			nc = abm_schema_ncounts(sch);
	size_t		scalar_bytes = 8 * (size_t) nc +
		(has_money(sch) ? 8 + 8 * (size_t) (sch->nscalars - nc) * words : 0);
	size_t		param_bytes = has_param ? 8 : 0;

	l.kind = kind;
	switch (kind)
	{
		case LAYOUT_BINARY_V1:
			l.scalars = 1;
			l.param = l.scalars;
			l.nrows = l.scalars + scalar_bytes;
			l.cells = l.nrows + (sch->ncols > 0 ? 4 : 0);
			break;
		case LAYOUT_BINARY:
			l.param = 2;
			l.scalars = l.param + param_bytes;
			l.nrows = l.scalars + scalar_bytes;
			l.cells = l.nrows + (sch->ncols > 0 ? 4 : 0);
			break;
		default:
			/* after the 4-byte length word: scalars are 8-aligned in the datum */
			l.scalars = ABM_NATIVE_SCALARS - 4;
			l.param = l.scalars + scalar_bytes;
			l.nrows = l.param + param_bytes;
			l.cells = l.nrows + (sch->ncols > 0 ? 8 : 0);
			break;
	}
	return l;
}

static void
put64(const layout *l, uint8_t *p, uint64_t u)
{
	int			i;

	if (l->kind == LAYOUT_NATIVE)
	{
		memcpy(p, &u, 8);
		return;
	}
	for (i = 7; i >= 0; i--)
	{
		p[i] = (uint8_t) (u & 0xff);
		u >>= 8;
	}
}

static uint64_t
get64(const layout *l, const uint8_t *p)
{
	uint64_t	u = 0;
	int			i;

	if (l->kind == LAYOUT_NATIVE)
	{
		memcpy(&u, p, 8);
		return u;
	}
	for (i = 0; i < 8; i++)
		u = (u << 8) | p[i];
	return u;
}

static void
put32(const layout *l, uint8_t *p, uint32_t u)
{
	if (l->kind == LAYOUT_NATIVE)
	{
		memcpy(p, &u, 4);
		return;
	}
	p[0] = (uint8_t) (u >> 24);
	p[1] = (uint8_t) (u >> 16);
	p[2] = (uint8_t) (u >> 8);
	p[3] = (uint8_t) u;
}

static uint32_t
get32(const layout *l, const uint8_t *p)
{
	uint32_t	u;

	if (l->kind == LAYOUT_NATIVE)
	{
		memcpy(&u, p, 4);
		return u;
	}
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

static uint64_t
double_bits(double d)
{
	uint64_t	u;

	memcpy(&u, &d, 8);
	return u;
}

static double
bits_double(uint64_t u)
{
	double		d;

	memcpy(&d, &u, 8);
	return d;
}

static size_t
layout_size(const layout *l, const abm_state *s)
{
	return l->cells + 8 * (size_t) s->nrows * abm_state_row_cells(s);
}

static void
write_layout(const layout *l, const abm_state *s, uint8_t *out)
{
	const abm_state_schema *sch = s->schema;
	size_t		i,
				ncells = (size_t) s->nrows * abm_state_row_cells(s),
				nc = (size_t) abm_schema_ncounts(sch),
				nscalarcells = nc;
	uint8_t		flags = s->has_param ? ABM_STATE_FLAG_PARAM : 0;

	if (l->kind == LAYOUT_NATIVE)
	{
		out[0] = ABM_STATE_VERSION;
		out[1] = sch->kind;
		out[2] = flags;
		out[3] = 0;
	}
	else
	{
		out[0] = ABM_STATE_VERSION;
		out[1] = flags;
	}
	for (i = 0; i < nc; i++)
		put64(l, out + l->scalars + 8 * i, (uint64_t) s->scalar[i]);
	if (has_money(sch))
	{
		/* the money word, then the amounts' cells */
		put64(l, out + l->scalars + 8 * nc,
			  (uint64_t) s->money_scale | ((uint64_t) s->money_words << 16));
		nscalarcells = nc + (size_t) (sch->nscalars - nc) * s->money_words;
		for (i = nc; i < nscalarcells; i++)
			put64(l, out + l->scalars + 8 * (i + 1), (uint64_t) s->scalar[i]);
	}
	if (s->has_param)
		put64(l, out + l->param, double_bits(s->param));
	if (sch->ncols == 0)
		return;
	put32(l, out + l->nrows, s->nrows);
	if (l->kind == LAYOUT_NATIVE)
		memset(out + l->nrows + 4, 0, 4);
	for (i = 0; i < ncells; i++)
		put64(l, out + l->cells + 8 * i, (uint64_t) s->rows[i]);
}

/* Read a layout of `len` bytes from `in`, then validate. */
static abm_status
read_layout(layout_kind kind, const abm_state_schema *sch, const uint8_t *in, size_t len,
			int has_param, abm_state *out, int64_t *rowbuf, size_t cellcap, abm_error *err)
{
	size_t		i,
				ncells,
				cellsize,
				nc = (size_t) abm_schema_ncounts(sch);
	uint32_t	nrows = 0;
	layout		lay = layout_of(kind, sch, has_param, 2);
	const layout *l = &lay;

	if (has_money(sch))
	{
		/* the money word tells how wide the amounts are, and so where the rest lies */
		uint64_t	word;

		if (kind == LAYOUT_BINARY_V1)
			return abm_fail(err, ABM_ERR_VERSION, "%s has no format version 1.", sch->type_name);
		if (len < l->scalars + 8 * (nc + 1))
			return abm_fail(err, ABM_ERR_SYNTAX, "%s form has %zu bytes, expected at least %zu.",
							sch->type_name, len, l->scalars + 8 * (nc + 1));
		word = get64(l, in + l->scalars + 8 * nc);
		out->money_scale = (int) (word & 0xffff);
		out->money_words = (int) ((word >> 16) & 0xffff);
		if ((word >> 32) != 0 || out->money_words < 2 || out->money_words > ABM_MONEY_MAX_WORDS)
			return abm_fail(err, ABM_ERR_SYNTAX, "%s has a malformed money word 0x%016" PRIx64 ".",
							sch->type_name, word);
		lay = layout_of(kind, sch, has_param, out->money_words);
	}
	if (len < l->cells)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s form has %zu bytes, expected at least %zu.",
					sch->type_name, len, l->cells);
	cellsize = 8 * (sch->ncols > 0 ? stride_of(sch, out->money_words) : 1);
	for (i = 0; i < nc; i++)
		out->scalar[i] = (int64_t) get64(l, in + l->scalars + 8 * i);
	if (nc < (size_t) sch->nscalars)
		for (i = nc; i < nc + (size_t) (sch->nscalars - nc) * out->money_words; i++)
			out->scalar[i] = (int64_t) get64(l, in + l->scalars + 8 * (i + 1));
	if (has_param)
	{
		out->has_param = 1;
		out->param = bits_double(get64(l, in + l->param));
	}
	if (sch->ncols > 0)
	{
		nrows = get32(l, in + l->nrows);
		if (l->kind == LAYOUT_NATIVE && get32(l, in + l->nrows + 4) != 0)
			return abm_fail(err, ABM_ERR_SYNTAX, "%s datum has nonzero padding after its row count.", sch->type_name);
	}
	if ((len - l->cells) % cellsize != 0 || (len - l->cells) / cellsize != nrows)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s form has %zu bytes, which does not match its %u rows.",
					sch->type_name, len, nrows);
	ncells = (size_t) nrows * (cellsize / 8);
	if (ncells > cellcap)
		return abm_fail(err, ABM_ERR_RANGE, "%s has more rows than provided for.", sch->type_name);
	for (i = 0; i < ncells; i++)
		rowbuf[i] = (int64_t) get64(l, in + l->cells + 8 * i);
	out->nrows = nrows;
	out->rows = nrows > 0 ? rowbuf : NULL;
	return abm_state_validate(out, err);
}

size_t
abm_state_binary_size(const abm_state *s)
{
	layout		l = layout_of(LAYOUT_BINARY, s->schema, s->has_param, s->money_words);

	return layout_size(&l, s);
}

void
abm_state_to_binary(const abm_state *s, uint8_t *out)
{
	layout		l = layout_of(LAYOUT_BINARY, s->schema, s->has_param, s->money_words);

	write_layout(&l, s, out);
}

static uint32_t
max_rows_after(const abm_state_schema *sch, size_t len, size_t head)
{
	if (sch->ncols == 0 || len <= head)
		return 0;
	/* a row is at least its columns, amounts at least 2 words */
	return (uint32_t) ((len - head) / (8 * stride_of(sch, 2)));
}

uint32_t
abm_state_binary_max_rows(const abm_state_schema *sch, size_t len)
{
	layout		l = layout_of(LAYOUT_BINARY_V1, sch, 0, 2);	/* the smallest header */

	return max_rows_after(sch, len, l.cells);
}

size_t
abm_state_binary_max_cells(const abm_state_schema *sch, size_t len)
{
	if (sch->ncols == 0)
		return 0;
	if (sch->nmoneycols == 0)
		return (size_t) abm_state_binary_max_rows(sch, len) * (size_t) sch->ncols;
	/* rows fill the rest of the form: no more cells than 8-byte words */
	return len / 8;
}

static abm_status
check_version(const abm_state_schema *sch, int64_t version, abm_error *err)
{
	if (version < ABM_STATE_MIN_VERSION || version > ABM_STATE_VERSION)
		return abm_fail(err, ABM_ERR_VERSION,
					"%s format version %" PRId64 " is not supported; this version of abm reads versions %d to %d.",
					sch->type_name, version, ABM_STATE_MIN_VERSION, ABM_STATE_VERSION);
	return ABM_OK;
}

static abm_status
check_flags(const abm_state_schema *sch, unsigned flags, abm_error *err)
{
	if ((flags & ~(unsigned) ABM_STATE_FLAG_PARAM) != 0)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s has unknown flags 0x%02x.", sch->type_name, flags);
	return ABM_OK;
}

abm_status
abm_state_from_binary(const abm_state_schema *sch, const uint8_t *in, size_t len,
					  abm_state *out, int64_t *rowbuf, size_t cellcap,
					  abm_error *err)
{
	layout_kind kind;
	int			has_param = 0;

	abm_state_init(out, sch);
	if (len < 1)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s binary form is empty.", sch->type_name);
	if (check_version(sch, in[0], err) != ABM_OK)
		return ABM_ERR_VERSION;
	if (in[0] == 1)
		kind = LAYOUT_BINARY_V1;
	else
	{
		if (len < 2)
			return abm_fail(err, ABM_ERR_SYNTAX, "%s binary form has no flags byte.", sch->type_name);
		if (check_flags(sch, in[1], err) != ABM_OK)
			return ABM_ERR_SYNTAX;
		has_param = (in[1] & ABM_STATE_FLAG_PARAM) != 0;
		kind = LAYOUT_BINARY;
	}
	return read_layout(kind, sch, in, len, has_param, out, rowbuf, cellcap, err);
}

size_t
abm_state_native_size(const abm_state *s)
{
	layout		l = layout_of(LAYOUT_NATIVE, s->schema, s->has_param, s->money_words);

	return layout_size(&l, s);
}

size_t
abm_state_native_scalar_size(const abm_state_schema *sch, int has_param)
{
	return layout_of(LAYOUT_NATIVE, sch, has_param, 2).cells;
}

void
abm_state_to_native(const abm_state *s, uint8_t *payload)
{
	layout		l = layout_of(LAYOUT_NATIVE, s->schema, s->has_param, s->money_words);

	write_layout(&l, s, payload);
}

uint32_t
abm_state_payload_max_rows(const abm_state_schema *sch, size_t len)
{
	/* the version 1 header is the smaller one */
	return abm_state_binary_max_rows(sch, len);
}

size_t
abm_state_payload_max_cells(const abm_state_schema *sch, size_t len)
{
	return abm_state_binary_max_cells(sch, len);
}

abm_status
abm_state_from_payload(const abm_state_schema *sch, const uint8_t *in, size_t len,
					   abm_state *out, int64_t *rowbuf, size_t cellcap, abm_error *err)
{
	int			has_param;

	abm_state_init(out, sch);
	if (len < 1)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s datum is empty.", sch->type_name);
	if (in[0] == 1)				/* stored by abm 1.1: the version 1 binary form */
		return abm_state_from_binary(sch, in, len, out, rowbuf, cellcap, err);
	if (in[0] != ABM_STATE_VERSION)
		return check_version(sch, in[0], err) != ABM_OK ? ABM_ERR_VERSION
			: abm_fail(err, ABM_ERR_VERSION, "%s datum of format version %d is not native.", sch->type_name, in[0]);
	if (len < 4)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s datum has %zu bytes, expected at least 4.", sch->type_name, len);
	if (in[1] != sch->kind)
		return abm_fail(err, ABM_ERR_SYNTAX, "datum of state kind %d is not a %s.", in[1], sch->type_name);
	if (check_flags(sch, in[2], err) != ABM_OK)
		return ABM_ERR_SYNTAX;
	if (in[3] != 0)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s datum has a nonzero reserved byte.", sch->type_name);
	has_param = (in[2] & ABM_STATE_FLAG_PARAM) != 0;
	return read_layout(LAYOUT_NATIVE, sch, in, len, has_param, out, rowbuf, cellcap, err);
}

int
abm_state_merge_plain_native(const abm_state_schema *sch, int64_t *scalars,
							 const uint8_t *in, size_t len, abm_error *err)
{
	abm_state	a,
				b;
	size_t		bytes = sizeof(int64_t) * (size_t) sch->nscalars;
	int			i;

	if (sch->ncols != 0 || abm_schema_nmoney(sch) > 0 || len != ABM_NATIVE_SCALARS - 4 + bytes ||
		in[0] != ABM_STATE_VERSION || in[1] != sch->kind || in[2] != 0 || in[3] != 0)
		return 0;
	memcpy(b.scalar, in + ABM_NATIVE_SCALARS - 4, bytes);

	/* counters only (NPS, CSAT): add with the checks validate and merge make */
	for (i = 0; i < sch->nscalars; i++)
	{
		if (sch->scalars[i].merge != ABM_MERGE_SUM)
			break;
		if ((b.scalar[i] < 0 && sch->scalars[i].nonnegative) ||
			__builtin_add_overflow(scalars[i], b.scalar[i], &a.scalar[i]) || a.scalar[i] < 0)
			break;
	}
	a.schema = b.schema = sch;
	a.rows = b.rows = NULL;
	a.nrows = b.nrows = 0;
	a.has_param = b.has_param = 0;
	a.param = b.param = 0;
	a.money_scale = b.money_scale = a.money_words = b.money_words = 0;
	if (i == sch->nscalars)
	{
		if ((sch->check == NULL || sch->check(&b, err) == ABM_OK) &&
			(sch->check == NULL || sch->check(&a, err) == ABM_OK))
		{
			memcpy(scalars, a.scalar, bytes);
			return 1;
		}
		return -1;
	}

	/* other merge rules, or an error to describe: the general path */
	memcpy(a.scalar, scalars, bytes);
	if (abm_state_validate(&b, err) != ABM_OK || abm_state_merge(&a, &b, NULL, 0, err) != ABM_OK)
		return -1;
	memcpy(scalars, a.scalar, bytes);
	return 1;
}

/* ---- float keys ---- */

int64_t
abm_float_key(double d)
{
	int64_t		bits;

	if (d == 0)
		d = 0;					/* -0 is 0 */
	memcpy(&bits, &d, sizeof(bits));
	return bits < 0 ? bits ^ INT64_MAX : bits;
}

double
abm_float_of_key(int64_t key)
{
	int64_t		bits = key < 0 ? key ^ INT64_MAX : key;
	double		d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

/* ---- row sets ---- */

/*
 * A full 64-bit mix of the key (the finalizer of MurmurHash3): float keys
 * of whole numbers differ only in their high bits, which a plain
 * multiplicative hash would leave out of the slot index.
 */
static uint32_t
key_hash(int64_t key)
{
	uint64_t	h = (uint64_t) key;

	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return (uint32_t) h;
}

void
abm_rowset_init(abm_rowset *rs, const abm_state_schema *schema, abm_allocator mem)
{
	memset(rs, 0, sizeof(*rs));
	rs->schema = schema;
	rs->mem = mem;
	rs->sorted = 1;
	rs->money_words = schema->nmoneycols > 0 ? 1 : 0;	/* widened when a sum needs it */
	rs->stride = (uint32_t) stride_of(schema, rs->money_words);
}

/* Cells of a row of the row set. */
static size_t
rs_stride(const abm_rowset *rs)
{
	return rs->stride;
}

void
abm_rowset_free(abm_rowset *rs)
{
	if (rs->cells != NULL)
		rs->mem.release(rs->mem.ctx, rs->cells);
	if (rs->slots != NULL)
		rs->mem.release(rs->mem.ctx, rs->slots);
	rs->cells = NULL;
	rs->slots = NULL;
	rs->nrows = rs->cap = rs->nslots = 0;
}

/* Slot of `key`: its row's slot, or the empty slot where it would go. */
static uint32_t
find_slot(const abm_rowset *rs, int64_t key)
{
	uint32_t	mask = rs->nslots - 1;
	uint32_t	i = key_hash(key) & mask;

	while (rs->slots[i] != 0 && rs->cells[(size_t) (rs->slots[i] - 1) * rs_stride(rs)] != key)
		i = (i + 1) & mask;
	return i;
}

static void
rehash(abm_rowset *rs)
{
	uint32_t	r;

	memset(rs->slots, 0, sizeof(uint32_t) * rs->nslots);
	for (r = 0; r < rs->nrows; r++)
		rs->slots[find_slot(rs, rs->cells[(size_t) r * rs_stride(rs)])] = r + 1;
}

/* Room for one more row: doubles the cells, and the hash if there is one. */
static abm_status
grow(abm_rowset *rs, abm_error *err)
{
	size_t		ncols = rs_stride(rs);
	uint32_t	cap = rs->cap == 0 ? 8 : rs->cap * 2;
	int64_t    *cells;
	uint32_t   *slots = NULL;

	/* the flattened state must still fit in a value */
	if (rs->cap >= UINT32_MAX / 4 || (size_t) cap * ncols * 8 > ABM_STATE_MAX_BYTES)
		return abm_fail(err, ABM_ERR_LIMIT, "%s would have more than %zu rows, past the 1 GB limit of a value.",
					rs->schema->type_name, ABM_STATE_MAX_BYTES / (ncols * 8));
	cells = rs->mem.alloc(rs->mem.ctx, sizeof(int64_t) * ncols * cap);
	if (cells != NULL && rs->slots != NULL)
		slots = rs->mem.alloc(rs->mem.ctx, sizeof(uint32_t) * 2 * (size_t) cap);
	if (cells == NULL || (rs->slots != NULL && slots == NULL))
	{
		if (cells != NULL)
			rs->mem.release(rs->mem.ctx, cells);
		return abm_fail(err, ABM_ERR_LIMIT, "out of memory for %u rows of %s.", cap, rs->schema->type_name);
	}
	if (rs->nrows > 0)
		memcpy(cells, rs->cells, sizeof(int64_t) * ncols * rs->nrows);
	if (rs->cells != NULL)
		rs->mem.release(rs->mem.ctx, rs->cells);
	if (rs->slots != NULL)
		rs->mem.release(rs->mem.ctx, rs->slots);
	rs->cells = cells;
	rs->slots = slots;
	rs->cap = cap;
	rs->nslots = slots != NULL ? 2 * cap : 0;
	if (slots != NULL)
		rehash(rs);
	return ABM_OK;
}

/*
 * The row of `key` in *row, or NULL when it has none yet.  While keys come
 * in ascending order (an event log read in time order), a key is its last
 * row's or a new one, and no hash is kept: less memory and no probe per
 * row.  The first key out of that order builds the hash.
 */
static inline abm_status
rs_find(abm_rowset *rs, int64_t key, int64_t **row, abm_error *err)
{
	size_t		stride = rs_stride(rs);
	uint32_t	index;

	if (rs->slots == NULL)
	{
		int64_t    *last;

		if (rs->nrows == 0)
		{
			*row = NULL;
			return ABM_OK;
		}
		last = rs->cells + (size_t) (rs->nrows - 1) * stride;
		if (key >= last[0])
		{
			*row = key == last[0] ? last : NULL;
			return ABM_OK;
		}
		rs->slots = rs->mem.alloc(rs->mem.ctx, sizeof(uint32_t) * 2 * (size_t) rs->cap);
		if (rs->slots == NULL)
			return abm_fail(err, ABM_ERR_LIMIT, "out of memory for %u rows of %s.", rs->cap,
							rs->schema->type_name);
		rs->nslots = 2 * rs->cap;
		rehash(rs);
	}
	index = rs->slots[find_slot(rs, key)];
	*row = index != 0 ? rs->cells + (size_t) (index - 1) * stride : NULL;
	return ABM_OK;
}

/* A new row of `key` after the others, in *row: the cells after the key are the caller's to set. */
static abm_status
rs_append(abm_rowset *rs, int64_t key, int64_t **row, abm_error *err)
{
	size_t		stride;

	if (rs->nrows == rs->cap && grow(rs, err) != ABM_OK)
		return ABM_ERR_LIMIT;
	stride = rs_stride(rs);
	*row = rs->cells + (size_t) rs->nrows * stride;
	if (rs->nrows > 0 && key <= (*row)[-(ptrdiff_t) stride])
		rs->sorted = 0;
	(*row)[0] = key;
	if (rs->slots != NULL)
		rs->slots[find_slot(rs, key)] = rs->nrows + 1;
	rs->nrows++;
	return ABM_OK;
}

/*
 * Rewrite every row with its amounts at scale `scale` (never lower) and
 * `words` wide (at least what they need; 0: find the fewest), into new
 * cells, or in place when the rows only get narrower.
 */
static abm_status
rs_relayout(abm_rowset *rs, int scale, int words, abm_error *err)
{
	const abm_state_schema *sch = rs->schema;
	int			fc = first_money_col(sch),
				c;
	size_t		old_st = rs_stride(rs),
				new_st;
	uint32_t	r;
	int64_t    *cells;
	abm_money	m;

	if (words == 0)
	{
		/* the fewest words that hold every amount at the new scale */
		words = 2;
		for (r = 0; r < rs->nrows; r++)
			for (c = fc; c < sch->ncols; c++)
			{
				row_money(sch, rs->cells + (size_t) r * old_st, c, rs->money_words, rs->money_scale, &m);
				if (abm_money_rescale(&m, scale, err) != ABM_OK)
					return ABM_ERR_LIMIT;
				if (abm_money_words(&m) > words)
					words = abm_money_words(&m);
			}
	}
	if (words > ABM_MONEY_MAX_WORDS)
		return abm_fail(err, ABM_ERR_LIMIT, "%s amounts would need more than %d bits.",
						sch->type_name, 64 * ABM_MONEY_MAX_WORDS - 1);
	new_st = stride_of(sch, words);
	if (new_st <= old_st && scale == rs->money_scale)
		cells = rs->cells;		/* narrower: front to back in place */
	else
	{
		if ((size_t) rs->cap * new_st * 8 > ABM_STATE_MAX_BYTES)
			return abm_fail(err, ABM_ERR_LIMIT, "%s would be past the 1 GB limit of a value.", sch->type_name);
		cells = rs->cap > 0 ? rs->mem.alloc(rs->mem.ctx, sizeof(int64_t) * new_st * rs->cap) : NULL;
		if (rs->cap > 0 && cells == NULL)
			return abm_fail(err, ABM_ERR_LIMIT, "out of memory for the rows of %s.", sch->type_name);
	}
	for (r = 0; r < rs->nrows; r++)
	{
		const int64_t *from = rs->cells + (size_t) r * old_st;
		int64_t    *to = cells + (size_t) r * new_st;
		abm_money	amounts[ABM_STATE_MAX_COLS];

		/* read all amounts of the row before writing over it */
		for (c = fc; c < sch->ncols; c++)
		{
			row_money(sch, from, c, rs->money_words, rs->money_scale, &amounts[c - fc]);
			(void) abm_money_rescale(&amounts[c - fc], scale, NULL);	/* fits: checked above or widening */
		}
		memmove(to, from, sizeof(int64_t) * (size_t) fc);
		for (c = fc; c < sch->ncols; c++)
			abm_money_to_cells(&amounts[c - fc], to + fc + (size_t) (c - fc) * words, words);
	}
	if (cells != rs->cells)
	{
		if (rs->cells != NULL)
			rs->mem.release(rs->mem.ctx, rs->cells);
		rs->cells = cells;
	}
	rs->money_scale = scale;
	rs->money_words = words;
	rs->stride = (uint32_t) new_st;
	return ABM_OK;
}

/* Give the amounts their fewest words (a state's one form). */
static void
rs_shrink(abm_rowset *rs)
{
	/* in place, narrower or the same: cannot fail */
	(void) rs_relayout(rs, rs->money_scale, 0, NULL);
}

/* a += b over `words` two's complement words; 0 (a unchanged) when the sum needs more. */
static int
cells_add(int64_t *a, const int64_t *b, int words)
{
	uint64_t	sum[ABM_MONEY_MAX_WORDS];
	unsigned __int128 carry = 0;
	int			i,
				sa = a[words - 1] < 0,
				sb = b[words - 1] < 0,
				sr;

	for (i = 0; i < words; i++)
	{
		unsigned __int128 t = (unsigned __int128) (uint64_t) a[i] + (uint64_t) b[i] + carry;

		sum[i] = (uint64_t) t;
		carry = t >> 64;
	}
	sr = (int64_t) sum[words - 1] < 0;
	if (sa == sb && sr != sa)
		return 0;
	memcpy(a, sum, sizeof(int64_t) * (size_t) words);
	return 1;
}

abm_status
abm_rowset_add_money(abm_rowset *rs, int64_t key, const int64_t *count_deltas,
					 const abm_money *amounts, int sign, abm_error *err)
{
	const abm_state_schema *sch = rs->schema;
	int			fc = first_money_col(sch),
				nm = sch->nmoneycols,
				scale = rs->money_scale,
				words = rs->money_words,
				c,
				j;
	abm_money	m[ABM_STATE_MAX_COLS];
	int64_t		cells[ABM_STATE_MAX_COLS * ABM_MONEY_MAX_WORDS];
	int64_t		sums[ABM_STATE_MAX_COLS];
	int64_t    *row = NULL;
	size_t		k;
	abm_status	st;

	if (nm == 0)
		return abm_fail(err, ABM_ERR_MISMATCH, "%s has no money columns.", sch->type_name);
	/* the amounts at the row set's scale and width, raising them if needed */
	for (j = 0; j < nm; j++)
		if (amounts[j].scale > scale)
			scale = amounts[j].scale;
	for (j = 0; j < nm; j++)
	{
		m[j] = amounts[j];
		if (abm_money_rescale(&m[j], scale, err) != ABM_OK)
			return ABM_ERR_LIMIT;
		if (sign < 0 && m[j].nw > 0)
			m[j].neg = !m[j].neg;
		if (abm_money_words(&m[j]) > words)
			words = abm_money_words(&m[j]);
	}
	if (scale != rs->money_scale || words != rs->money_words)
	{
		int			need = words;

		if (scale != rs->money_scale)
			need = 0;			/* rescaled rows may need more: find out */
		if ((st = rs_relayout(rs, scale, need, err)) != ABM_OK)
			return st;
		if (rs->money_words < words && (st = rs_relayout(rs, scale, words, err)) != ABM_OK)
			return st;
		words = rs->money_words;
	}

	if ((st = rs_find(rs, key, &row, err)) != ABM_OK)
		return st;
	if (row == NULL)
	{
		for (c = 1; c < fc; c++)
			if (count_deltas[c - 1] < 0)
				return abm_fail(err, ABM_ERR_RANGE, "%s would become negative.", sch->col_names[c]);
		if ((st = rs_append(rs, key, &row, err)) != ABM_OK)
			return st;
		for (c = 1; c < fc; c++)
			row[c] = count_deltas[c - 1];
		for (j = 0; j < nm; j++)
			abm_money_to_cells(&m[j], row + fc + (size_t) j * words, words);
	}
	else
	{
		size_t		index = (size_t) (row - rs->cells) / rs_stride(rs);

		for (c = 1; c < fc; c++)
			if (__builtin_add_overflow(row[c], count_deltas[c - 1], &sums[c]) || sums[c] < 0)
				return abm_fail(err, ABM_ERR_RANGE, "%s would be out of range 0..%" PRId64 ".",
								sch->col_names[c], INT64_MAX);
		for (j = 0; j < nm; j++)
		{
			abm_money_to_cells(&m[j], cells, words);
			while (!cells_add(row + fc + (size_t) j * words, cells, words))
			{
				/* the sum needs one more word: widen every row, then again */
				if ((st = rs_relayout(rs, scale, words + 1, err)) != ABM_OK)
					return st;
				words = rs->money_words;
				row = rs->cells + (size_t) index * rs_stride(rs);
				abm_money_to_cells(&m[j], cells, words);
			}
		}
		for (c = 1; c < fc; c++)
			row[c] = sums[c];
	}
	/* a row that came to zeros must go */
	for (k = 1; k < rs_stride(rs) && row[k] == 0; k++)
		;
	if (k == rs_stride(rs))
		rs->sorted = 0;
	return ABM_OK;
}

abm_status
abm_rowset_add(abm_rowset *rs, int64_t key, const int64_t *deltas, abm_error *err)
{
	const abm_state_schema *sch = rs->schema;
	int			ncols = sch->ncols;
	int64_t    *row = NULL;
	int64_t		sums[ABM_STATE_MAX_COLS];
	int			c;
	abm_status	st;

	if (sch->nmoneycols > 0)
		return abm_fail(err, ABM_ERR_MISMATCH, "%s has no row set.", sch->type_name);
	if ((st = rs_find(rs, key, &row, err)) != ABM_OK)
		return st;
	if (row == NULL)
	{
		for (c = 1; c < ncols; c++)
			if (deltas[c - 1] < 0)
				return abm_fail(err, ABM_ERR_RANGE, "%s would become negative.", sch->col_names[c]);
		if ((st = rs_append(rs, key, &row, err)) != ABM_OK)
			return st;
		for (c = 1; c < ncols; c++)
		{
			row[c] = deltas[c - 1];
			if (row[c] == 0)
				rs->sorted = 0;	/* an all-zero row must go */
		}
		return ABM_OK;
	}
	for (c = 1; c < ncols; c++)
		if (__builtin_add_overflow(row[c], deltas[c - 1], &sums[c]) || sums[c] < 0)
			return abm_fail(err, ABM_ERR_RANGE, "%s would be out of range 0..%" PRId64 ".",
						sch->col_names[c], INT64_MAX);
	for (c = 1; c < ncols; c++)
	{
		row[c] = sums[c];
		if (sums[c] == 0)
			rs->sorted = 0;		/* may have to go */
	}
	return ABM_OK;
}

abm_status
abm_rowset_count(abm_rowset *rs, int64_t key, int col, int64_t delta, abm_error *err)
{
	const abm_state_schema *sch = rs->schema;
	int64_t    *row = NULL;
	int64_t		sum;
	abm_status	st;

	if (sch->nmoneycols > 0 || col < 1 || col >= sch->ncols)
		return abm_fail(err, ABM_ERR_MISMATCH, "%s has no count column %d.", sch->type_name, col);
	if ((st = rs_find(rs, key, &row, err)) != ABM_OK)
		return st;
	if (row == NULL)
	{
		if (delta < 0)
			return abm_fail(err, ABM_ERR_RANGE, "%s would become negative.", sch->col_names[col]);
		if ((st = rs_append(rs, key, &row, err)) != ABM_OK)
			return st;
		memset(row + 1, 0, sizeof(int64_t) * (rs_stride(rs) - 1));
		row[col] = delta;
		if (delta == 0)
			rs->sorted = 0;		/* an all-zero row must go */
		return ABM_OK;
	}
	if (__builtin_add_overflow(row[col], delta, &sum) || sum < 0)
		return abm_fail(err, ABM_ERR_RANGE, "%s would be out of range 0..%" PRId64 ".",
						sch->col_names[col], INT64_MAX);
	row[col] = sum;
	if (sum == 0)
		rs->sorted = 0;			/* the row may have come to zeros: it must go */
	return ABM_OK;
}

abm_status
abm_rowset_add_state(abm_rowset *rs, const abm_state *s, int sign, abm_error *err)
{
	int			ncols = rs->schema->ncols;
	int64_t		deltas[ABM_STATE_MAX_COLS];
	uint32_t	r;
	int			c;

	if (s->schema != rs->schema)
		return abm_fail(err, ABM_ERR_MISMATCH, "cannot merge %s with %s.",
					rs->schema->type_name, s->schema->type_name);
	for (r = 0; r < s->nrows; r++)
	{
		const int64_t *row = s->rows + (size_t) r * abm_state_row_cells(s);
		abm_status	st;

		for (c = 1; c < first_money_col(rs->schema); c++)
			deltas[c - 1] = sign < 0 ? -row[c] : row[c];	/* counts are >= 0: no overflow */
		if (rs->schema->nmoneycols > 0)
		{
			abm_money	amounts[ABM_STATE_MAX_COLS];

			for (c = first_money_col(rs->schema); c < ncols; c++)
				abm_state_row_money(s, r, c, &amounts[c - first_money_col(rs->schema)]);
			st = abm_rowset_add_money(rs, row[0], deltas, amounts, sign, err);
		}
		else
			st = abm_rowset_add(rs, row[0], deltas, err);
		if (st != ABM_OK)
			return st;
	}
	return ABM_OK;
}

static int
compare_keys(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a,
				y = *(const int64_t *) b;

	return (x > y) - (x < y);
}

/*
 * Sort rows by key: a least-significant-digit radix sort, one pass per key
 * byte that is not the same in every row (the sign bit flipped, so that
 * signed keys sort as unsigned), O(rows) however many distinct keys.
 * Falls back to qsort for few rows, or when no scratch memory is had.
 */
static void
sort_rows(abm_rowset *rs)
{
	size_t		ncols = rs_stride(rs),
				rowbytes = sizeof(int64_t) * ncols,
				n = rs->nrows,
				i;
	int64_t    *from = rs->cells,
			   *to;
	int			byte;

	/* scratch of the full capacity: it may become the cells */
	if (n < 256 || (to = rs->mem.alloc(rs->mem.ctx, rowbytes * rs->cap)) == NULL)
	{
		qsort(rs->cells, n, rowbytes, compare_keys);
		return;
	}
	for (byte = 0; byte < 8; byte++)
	{
		size_t		count[256] = {0},
					pos = 0;
		int			shift = 8 * byte,
					d;

		for (i = 0; i < n; i++)
			count[(((uint64_t) from[i * ncols] ^ UINT64_C(0x8000000000000000)) >> shift) & 0xff]++;
		for (d = 0; d < 256; d++)
		{
			size_t		c = count[d];

			if (c == n)
				break;			/* every row has this byte: nothing to do */
			count[d] = pos;
			pos += c;
		}
		if (d < 256)
			continue;
		for (i = 0; i < n; i++)
		{
			size_t		b = (((uint64_t) from[i * ncols] ^ UINT64_C(0x8000000000000000)) >> shift) & 0xff;

			memcpy(to + count[b]++ * ncols, from + i * ncols, rowbytes);
		}
		{
			int64_t    *t = from;

			from = to;
			to = t;
		}
	}
	if (from != rs->cells)
	{
		/* the sorted rows are in the scratch buffer: it becomes the cells */
		rs->mem.release(rs->mem.ctx, rs->cells);
		rs->cells = from;
	}
	else
		rs->mem.release(rs->mem.ctx, to);
}

void
abm_rowset_finish(abm_rowset *rs, abm_state *s)
{
	int			ncols = (int) rs_stride(rs);

	if (!rs->sorted)
	{
		uint32_t	r,
					kept = 0;
		int			c;

		/* drop rows whose counts are all zero, then sort the rest */
		for (r = 0; r < rs->nrows; r++)
		{
			const int64_t *row = rs->cells + (size_t) r * ncols;
			int			zero = 1;

			for (c = 1; c < ncols; c++)
				zero &= row[c] == 0;
			if (!zero)
			{
				if (kept != r)
					memcpy(rs->cells + (size_t) kept * ncols, row, sizeof(int64_t) * ncols);
				kept++;
			}
		}
		rs->nrows = kept;
		sort_rows(rs);
		if (rs->nslots > 0)
			rehash(rs);
		rs->sorted = 1;
	}
	if (rs->schema->nmoneycols > 0)
		rs_shrink(rs);
	s->rows = rs->nrows > 0 ? rs->cells : NULL;
	s->nrows = rs->nrows;
	if (rs->schema->nmoneycols > 0)
	{
		s->money_scale = rs->nrows > 0 ? rs->money_scale : 0;
		s->money_words = rs->nrows > 0 ? rs->money_words : 2;
	}
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
	emit(&o, "v%d", ABM_STATE_VERSION);
	for (i = 0; i < sch->nscalars; i++)
	{
		if (sch->scalars[i].kind == ABM_FIELD_MONEY)
		{
			char		num[ABM_MONEY_MAX_WORDS * 20 + ABM_MONEY_MAX_SCALE + 8];
			abm_money	m;

			abm_state_get_money(s, i, &m);
			abm_money_to_text(&m, num, sizeof(num));
			emit(&o, " %s=%s", sch->scalars[i].name, num);
		}
		else
			emit(&o, " %s=%" PRId64, sch->scalars[i].name, s->scalar[i]);
	}
	if (s->has_param)
	{
		char		num[32];

		format_double(s->param, num);
		emit(&o, " %s=%s", sch->param_name, num);
	}
	if (sch->ncols > 0)
	{
		emit(&o, " rows=[");
		for (r = 0; r < s->nrows; r++)
			for (c = 0; c < sch->ncols; c++)
			{
				int64_t		v = s->rows[(size_t) r * abm_state_row_cells(s) + c];
				const char *sep = c > 0 ? ":" : (r > 0 ? "," : "");

				if (c >= first_money_col(sch))
				{
					char		num[ABM_MONEY_MAX_WORDS * 20 + ABM_MONEY_MAX_SCALE + 8];
					abm_money	m;

					abm_state_row_money(s, r, c, &m);
					abm_money_to_text(&m, num, sizeof(num));
					emit(&o, "%s%s", sep, num);
				}
				else if (c == 0 && sch->key_is_float)
				{
					char		num[32];

					format_double(abm_float_of_key(v), num);
					emit(&o, "%s%s", sep, num);
				}
				else
					emit(&o, "%s%" PRId64, sep, v);
			}
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

/* The shortest decimal that reads back as the same double (15 to 17 digits). */
static void
format_double(double d, char *buf)
{
	int			prec;

	for (prec = 15; prec < 17; prec++)
	{
		snprintf(buf, 32, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
	snprintf(buf, 32, "%.17g", d);
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
			return abm_fail(err, ABM_ERR_RANGE, "%s value of %s is out of range for a 64-bit integer.",
						sch->type_name, what);
		u = u * 10 + d;
		in->p++;
		digits++;
	}
	if (digits == 0)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s expects an integer for %s.", sch->type_name, what);
	*out = neg ? (int64_t) (0 - u) : (int64_t) u;
	return ABM_OK;
}

/*
 * A finite decimal number: optional '-', digits with an optional fraction,
 * optional exponent; no hex, no "inf" or "nan", at most 31 characters.
 */
static abm_status
read_double(text_in *in, double *out, const abm_state_schema *sch, const char *what, abm_error *err)
{
	char		buf[32];
	const char *p = in->p;
	size_t		n;
	int			digits = 0;
	char	   *end;

	if (p < in->end && *p == '-')
		p++;
	while (p < in->end && ((*p >= '0' && *p <= '9') || *p == '.'))
		digits += (*p++ != '.');
	if (digits > 0 && p < in->end && (*p == 'e' || *p == 'E'))
	{
		p++;
		if (p < in->end && (*p == '-' || *p == '+'))
			p++;
		while (p < in->end && *p >= '0' && *p <= '9')
			p++;
	}
	n = (size_t) (p - in->p);
	if (digits == 0 || n >= sizeof(buf))
		return abm_fail(err, ABM_ERR_SYNTAX, "%s expects a decimal number for %s.", sch->type_name, what);
	memcpy(buf, in->p, n);
	buf[n] = '\0';
	*out = strtod(buf, &end);
	if (end != buf + n)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s expects a decimal number for %s.", sch->type_name, what);
	if (!isfinite(*out))
		return abm_fail(err, ABM_ERR_RANGE, "%s value of %s is out of range.", sch->type_name, what);
	in->p = p;
	return ABM_OK;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* An amount in the text form: '-', digits and '.', to the next separator. */
static abm_status
read_money(text_in *in, abm_money *out, const abm_state_schema *sch, const char *what, abm_error *err)
{
	const char *start = in->p;
	abm_error	merr;
	abm_status	st;

	while (in->p < in->end && ((*in->p >= '0' && *in->p <= '9') || *in->p == '.' || *in->p == '-'))
		in->p++;
	if ((st = abm_money_from_text(start, (size_t) (in->p - start), out, &merr)) != ABM_OK)
		return abm_fail(err, st, "%s value of %s: %s", sch->type_name, what, merr.detail);
	return ABM_OK;
}

typedef enum rows_pass
{
	ROWS_SCALE,					/* find the largest scale of the amounts */
	ROWS_WIDTH,					/* find the width at that scale */
	ROWS_WRITE					/* write the rows */
} rows_pass;

/*
 * The rows of a schema with money columns, "k:c:a,..." up to and including
 * the closing ']': read three times, since every amount is written at the
 * scale and width of all of them.  *scale and *words are found by the
 * first two passes; *nrows counts rows.
 */
static abm_status
read_money_rows(text_in *in, const abm_state_schema *sch, rows_pass pass, int *scale, int *words,
				uint32_t *nrows, int64_t *rowbuf, abm_error *err)
{
	int			fc = first_money_col(sch),
				c;
	size_t		st = stride_of(sch, *words);
	abm_status	status;

	*nrows = 0;
	while (!accept_str(in, "]"))
	{
		int64_t		cell;
		int64_t    *row = pass == ROWS_WRITE ? rowbuf + (size_t) *nrows * st : NULL;

		if (*nrows > 0 && !accept_str(in, ","))
			return abm_fail(err, ABM_ERR_SYNTAX, "%s expects \",\" or \"]\" after row %u.",
							sch->type_name, *nrows);
		if (*nrows == UINT32_MAX)
			return abm_fail(err, ABM_ERR_LIMIT, "%s has too many rows.", sch->type_name);
		for (c = 0; c < sch->ncols; c++)
		{
			if (c > 0 && !accept_str(in, ":"))
				return abm_fail(err, ABM_ERR_SYNTAX, "%s expects \":\" before %s in row %u.",
								sch->type_name, sch->col_names[c], *nrows + 1);
			if (c < fc)
			{
				if ((status = read_int64(in, &cell, sch, sch->col_names[c], err)) != ABM_OK)
					return status;
				if (row != NULL)
					row[c] = cell;
			}
			else
			{
				abm_money	m;

				if ((status = read_money(in, &m, sch, sch->col_names[c], err)) != ABM_OK)
					return status;
				if (pass == ROWS_SCALE && m.scale > *scale)
					*scale = m.scale;
				if (pass != ROWS_SCALE && abm_money_rescale(&m, *scale, err) != ABM_OK)
					return ABM_ERR_LIMIT;
				if (pass == ROWS_WIDTH && abm_money_words(&m) > *words)
					*words = abm_money_words(&m);
				if (row != NULL)
					abm_money_to_cells(&m, row + fc + (size_t) (c - fc) * *words, *words);
			}
		}
		(*nrows)++;
	}
	if (*words > ABM_MONEY_MAX_WORDS)
		return abm_fail(err, ABM_ERR_LIMIT, "%s amounts would need more than %d bits.",
						sch->type_name, 64 * ABM_MONEY_MAX_WORDS - 1);
	return ABM_OK;
}

/*
 * The text form, decoded into out and rowbuf; or with `measure`, only the
 * row cells it needs (*measure), nothing written.
 */
static abm_status
from_text(const abm_state_schema *sch, const char *text, size_t len,
		  abm_state *out, int64_t *rowbuf, size_t cellcap, size_t *measure, abm_error *err)
{
	text_in		in = {text, text + len};
	int64_t		version;
	int			i,
				c,
				nc = abm_schema_ncounts(sch);
	abm_status	st;
	abm_money	amounts[ABM_STATE_MAX_MONEY];

	abm_state_init(out, sch);
	while (in.p < in.end && is_blank(*in.p))
		in.p++;
	while (in.end > in.p && is_blank(in.end[-1]))
		in.end--;

	if (!accept_str(&in, "v"))
		return abm_fail(err, ABM_ERR_SYNTAX, "%s text must start with a format version such as \"v%d\".",
					sch->type_name, ABM_STATE_VERSION);
	if ((st = read_int64(&in, &version, sch, "the format version", err)) == ABM_ERR_SYNTAX)
		return st;
	if (st != ABM_OK)
		return abm_fail(err, ABM_ERR_VERSION, "%s format version is not supported; this version of abm reads versions %d to %d.",
					sch->type_name, ABM_STATE_MIN_VERSION, ABM_STATE_VERSION);
	if (check_version(sch, version, err) != ABM_OK)
		return ABM_ERR_VERSION;
	if (version < 2 && has_money(sch))
		return abm_fail(err, ABM_ERR_VERSION, "%s has no format version 1.", sch->type_name);

	for (i = 0; i < sch->nscalars; i++)
	{
		const char *name = sch->scalars[i].name;

		if (!accept_str(&in, " ") || !accept_str(&in, name) || !accept_str(&in, "="))
			return abm_fail(err, ABM_ERR_SYNTAX, "%s expects \" %s=\" as field %d.", sch->type_name, name, i + 1);
		if (i >= nc)
		{
			const char *start = in.p;

			abm_error	merr;

			while (in.p < in.end && *in.p != ' ')
				in.p++;
			if ((st = abm_money_from_text(start, (size_t) (in.p - start), &amounts[i - nc], &merr)) != ABM_OK)
				return abm_fail(err, st, "%s value of %s: %s", sch->type_name, name, merr.detail);
		}
		else if ((st = read_int64(&in, &out->scalar[i], sch, name, err)) != ABM_OK)
			return st;
	}
	if (nc < sch->nscalars && (st = money_put_all(out, amounts, err)) != ABM_OK)
		return st;

	/* version 2: the parameter, if the state carries one */
	if (version >= 2 && sch->param_name != NULL)
	{
		const char *save = in.p;

		if (accept_str(&in, " ") && accept_str(&in, sch->param_name) && accept_str(&in, "="))
		{
			if ((st = read_double(&in, &out->param, sch, sch->param_name, err)) != ABM_OK)
				return st;
			out->has_param = 1;
		}
		else
			in.p = save;
	}

	if (sch->ncols > 0 && sch->nmoneycols > 0)
	{
		text_in		rows_start;
		int			scale = 0,
					words = 2;
		uint32_t	nrows;

		if (!accept_str(&in, " rows=["))
			return abm_fail(err, ABM_ERR_SYNTAX, "%s expects \" rows=[\" after its fields.", sch->type_name);
		rows_start = in;
		if ((st = read_money_rows(&in, sch, ROWS_SCALE, &scale, &words, &nrows, NULL, err)) != ABM_OK)
			return st;
		in = rows_start;
		if ((st = read_money_rows(&in, sch, ROWS_WIDTH, &scale, &words, &nrows, NULL, err)) != ABM_OK)
			return st;
		if (measure != NULL)
		{
			*measure = (size_t) nrows * stride_of(sch, words);
			return ABM_OK;
		}
		if ((size_t) nrows * stride_of(sch, words) > cellcap)
			return abm_fail(err, ABM_ERR_SYNTAX, "%s has more rows than its text can hold.", sch->type_name);
		in = rows_start;
		if ((st = read_money_rows(&in, sch, ROWS_WRITE, &scale, &words, &nrows, rowbuf, err)) != ABM_OK)
			return st;
		out->rows = nrows > 0 ? rowbuf : NULL;
		out->nrows = nrows;
		out->money_scale = scale;
		out->money_words = words;
	}
	else if (sch->ncols > 0)
	{
		if (!accept_str(&in, " rows=["))
			return abm_fail(err, ABM_ERR_SYNTAX, "%s expects \" rows=[\" after its fields.", sch->type_name);
		out->rows = rowbuf;
		while (!accept_str(&in, "]"))
		{
			int64_t    *row;

			if (out->nrows > 0 && !accept_str(&in, ","))
				return abm_fail(err, ABM_ERR_SYNTAX, "%s expects \",\" or \"]\" after row %u.",
							sch->type_name, out->nrows);
			if (((size_t) out->nrows + 1) * (size_t) sch->ncols > cellcap)
				return abm_fail(err, ABM_ERR_SYNTAX, "%s has more rows than its text can hold.", sch->type_name);
			row = rowbuf + (size_t) out->nrows * sch->ncols;
			for (c = 0; c < sch->ncols; c++)
			{
				if (c > 0 && !accept_str(&in, ":"))
					return abm_fail(err, ABM_ERR_SYNTAX, "%s expects \":\" before %s in row %u.",
								sch->type_name, sch->col_names[c], out->nrows + 1);
				if (c == 0 && sch->key_is_float)
				{
					double		d;

					if ((st = read_double(&in, &d, sch, sch->col_names[0], err)) != ABM_OK)
						return st;
					row[0] = abm_float_key(d);
				}
				else if ((st = read_int64(&in, &row[c], sch, sch->col_names[c], err)) != ABM_OK)
					return st;
			}
			out->nrows++;
		}
		if (out->nrows == 0)
			out->rows = NULL;
	}

	if (in.p != in.end)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s text has unexpected characters after its last field.",
					sch->type_name);
	return abm_state_validate(out, err);
}

abm_status
abm_state_from_text(const abm_state_schema *sch, const char *text, size_t len,
					abm_state *out, int64_t *rowbuf, size_t cellcap, abm_error *err)
{
	return from_text(sch, text, len, out, rowbuf, cellcap, NULL, err);
}

size_t
abm_state_text_cells(const abm_state_schema *sch, const char *text, size_t len)
{
	abm_state	tmp;
	size_t		need = 0;

	if (sch->ncols == 0)
		return 0;
	if (sch->nmoneycols == 0)
		return (size_t) abm_state_text_max_rows(sch, len) * (size_t) sch->ncols;
	if (from_text(sch, text, len, &tmp, NULL, 0, &need, NULL) != ABM_OK)
		need = 0;
	return need;
}
