/*
 * fuzz_enum.c — libFuzzer harness of the small enumerations (label_enum.h).
 *
 * Each input is parsed with abm_enum_parse against every table.  An accepted
 * input must name a code whose label abm_enum_lookup finds and whose
 * canonical name parses back to the same code; the parse must not depend on
 * ASCII case, on '-' written for '_', or on extra blanks around the word.
 * abm_enum_list is run into a buffer sized by the input and into a large
 * one.  abm_nps_method_parse, the one other word parser, is run too.
 * Every buffer is exactly sized, so AddressSanitizer sees any over-read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "health.h"
#include "label_enum.h"
#include "nps.h"
#include "revenue.h"


static const abm_label_enum *const tables[] = {
	&abm_lifecycle_stage_enum,
	&abm_nps_class_enum,
	&abm_mrr_movement_enum,
	&abm_health_band_enum,
};
#define NTABLES ((int) (sizeof(tables) / sizeof(tables[0])))

static void check_spellings(const abm_label_enum *e, const char *sp, int code);

/* The full list, built here independently: "a, b, c". */
static char *full_list[NTABLES];
static size_t full_len[NTABLES];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int			t,
				i;

	(void) argc;
	(void) argv;
	for (t = 0; t < NTABLES; t++)
	{
		const abm_label_enum *e = tables[t];
		size_t		n = 0;

		FUZZ_CHECK(abm_enum_check_table(e) == 0);
		for (i = 0; i < e->nlabels; i++)
		{
			const char *const *a;

			check_spellings(e, e->labels[i].name, e->labels[i].code);
			for (a = e->labels[i].aliases; a != NULL && *a != NULL; a++)
				check_spellings(e, *a, e->labels[i].code);
		}
		for (i = 0; i < e->nlabels; i++)
			n += strlen(e->labels[i].name) + (i > 0 ? 2 : 0);
		full_list[t] = malloc(n + 1);
		FUZZ_CHECK(full_list[t] != NULL);
		full_list[t][0] = '\0';
		for (i = 0; i < e->nlabels; i++)
		{
			if (i > 0)
				strcat(full_list[t], ", ");
			strcat(full_list[t], e->labels[i].name);
		}
		full_len[t] = n;
	}
	return 0;
}

/* Parse an exactly-sized copy of pre + data + post. */
static int
parse_padded(const abm_label_enum *e, const char *pre, const uint8_t *data, size_t size,
			 const char *post)
{
	size_t		a = strlen(pre),
				b = strlen(post);
	char	   *buf = malloc(a + size + b + 1);
	int			code;

	FUZZ_CHECK(buf != NULL);
	memcpy(buf, pre, a);
	memcpy(buf + a, data, size);
	memcpy(buf + a + size, post, b);
	code = abm_enum_parse(e, buf, a + size + b);
	free(buf);
	return code;
}

/* Parse an exactly-sized copy with each byte mapped. */
static int
parse_mapped(const abm_label_enum *e, const uint8_t *data, size_t size, int (*map) (int))
{
	char	   *buf = malloc(size > 0 ? size : 1);
	size_t		i;
	int			code;

	FUZZ_CHECK(buf != NULL);
	for (i = 0; i < size; i++)
		buf[i] = (char) map(data[i]);
	code = abm_enum_parse(e, buf, size);
	free(buf);
	return code;
}

/* The bounds of the word after trimming, as label_enum.h documents them. */
static int
is_blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void
word_bounds(const uint8_t *d, size_t size, size_t *from, size_t *to)
{
	size_t		a = 0,
				b = size;

	for (;;)
	{
		if (a < b && is_blank(d[a]))
			a++;
		else if (b - a >= 3 && memcmp(d + a, "\xe3\x80\x80", 3) == 0)
			a += 3;
		else
			break;
	}
	for (;;)
	{
		if (b > a && is_blank(d[b - 1]))
			b--;
		else if (b - a >= 3 && memcmp(d + b - 3, "\xe3\x80\x80", 3) == 0)
			b -= 3;
		else
			break;
	}
	*from = a;
	*to = b;
}

/* Blanks inside the word read as '_': replace them and parse again. */
static int
parse_inner_blanks(const abm_label_enum *e, const uint8_t *data, size_t size)
{
	char	   *buf = malloc(size > 0 ? size : 1);
	size_t		a,
				b,
				i;
	int			code;

	FUZZ_CHECK(buf != NULL);
	memcpy(buf, data, size);
	word_bounds(data, size, &a, &b);
	for (i = a; i < b; i++)
		if (buf[i] == ' ')
			buf[i] = '_';
	code = abm_enum_parse(e, buf, size);
	free(buf);
	return code;
}

/* Every spelling of the tables, also with '_' written as ' ' or '-', in upper case. */
static void
check_spellings(const abm_label_enum *e, const char *sp, int code)
{
	char		buf[3][ABM_ENUM_MAX_INPUT + 1];
	size_t		n = strlen(sp),
				i;
	int			v;

	FUZZ_CHECK(n <= ABM_ENUM_MAX_INPUT);
	for (i = 0; i <= n; i++)
	{
		buf[0][i] = sp[i] == '_' ? ' ' : sp[i];
		buf[1][i] = sp[i] == '_' ? '-' : sp[i];
		buf[2][i] = (char) ((sp[i] >= 'a' && sp[i] <= 'z') ? sp[i] - ('a' - 'A') : sp[i]);
	}
	for (v = 0; v < 3; v++)
		FUZZ_CHECK(abm_enum_parse(e, buf[v], n) == code);
}

static int
map_upper(int c)
{
	return (c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c;
}

static int
map_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int
map_dash(int c)
{
	return c == '-' ? '_' : c;
}

static void
check_list(int t, size_t bufsize)
{
	char	   *buf = malloc(bufsize > 0 ? bufsize : 1);
	size_t		need;

	FUZZ_CHECK(buf != NULL);
	if (bufsize > 0)
		memset(buf, 'X', bufsize);
	need = abm_enum_list(tables[t], bufsize > 0 ? buf : NULL, bufsize);
	FUZZ_CHECK(need == full_len[t]);
	if (bufsize > 0)
	{
		size_t		n = bounded_strlen(buf, bufsize);

		FUZZ_CHECK(n < bufsize);	/* always NUL-terminated */
		FUZZ_CHECK(memcmp(buf, full_list[t], n) == 0);
		if (bufsize > need)
			FUZZ_CHECK(n == need);
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int			t;

	for (t = 0; t < NTABLES; t++)
	{
		const abm_label_enum *e = tables[t];
		int			code = abm_enum_parse(e, (const char *) data, size);

		if (code >= 0)
		{
			const abm_label *lab = abm_enum_lookup(e, code);
			int			idx = abm_enum_index(e, code);

			FUZZ_CHECK(code <= 255);
			FUZZ_CHECK(lab != NULL);
			FUZZ_CHECK(lab->code == code);
			FUZZ_CHECK(idx >= 0 && idx < e->nlabels && &e->labels[idx] == lab);
			FUZZ_CHECK(abm_enum_parse(e, lab->name, strlen(lab->name)) == code);
		}
		else
			FUZZ_CHECK(code == -1);

		/* the same word however it is written */
		FUZZ_CHECK(parse_mapped(e, data, size, map_upper) == code);
		FUZZ_CHECK(parse_mapped(e, data, size, map_lower) == code);
		FUZZ_CHECK(parse_mapped(e, data, size, map_dash) == code);
		FUZZ_CHECK(parse_inner_blanks(e, data, size) == code);
		FUZZ_CHECK(parse_padded(e, " ", data, size, "\t") == code);
		FUZZ_CHECK(parse_padded(e, "\xe3\x80\x80", data, size, "\xe3\x80\x80\n") == code);

		/* lookup of arbitrary codes */
		if (size >= 1)
		{
			int			c1 = data[0];
			const abm_label *l1 = abm_enum_lookup(e, c1);

			FUZZ_CHECK((l1 != NULL) == (abm_enum_index(e, c1) >= 0));
			FUZZ_CHECK(l1 == NULL || l1->code == c1);
		}
		if (size >= 4)
		{
			int32_t		c4;

			memcpy(&c4, data, 4);
			FUZZ_CHECK(abm_enum_lookup(e, c4) == NULL || abm_enum_lookup(e, c4)->code == c4);
		}

		/* lists: small buffers chosen by the input, exact fit, large */
		check_list(t, size >= 1 ? data[size - 1] % (full_len[t] + 2) : 0);
		check_list(t, size);
		check_list(t, full_len[t]);
		check_list(t, full_len[t] + 1);
		check_list(t, 4096);
	}

	/* the interval method name: a NUL-terminated copy */
	{
		char	   *s = malloc(size + 1);
		int			m;

		FUZZ_CHECK(s != NULL);
		memcpy(s, data, size);
		s[size] = '\0';
		m = abm_nps_method_parse(s);
		FUZZ_CHECK(m == -1 || m == ABM_NPS_WALD || m == ABM_NPS_ADJUSTED_WALD);
		free(s);
	}
	return 0;
}
