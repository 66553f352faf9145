/*
 * fuzz_money.c — libFuzzer harness of exact amounts (money.c).
 *
 * Each input is read two ways:
 *   - as an amount's text (abm_money_from_text): a rejection is
 *     ABM_ERR_SYNTAX, or ABM_ERR_LIMIT past 4096 bits or 1000 decimals,
 *     with a reason; an accepted amount prints back to itself
 *     (from_text(to_text(x)) == x, and a canonical input prints back
 *     unchanged), round-trips through its two's complement words, rescales
 *     and adds exactly, and reads the same from numeric's base-10000 digits;
 *   - as numeric's digits (sign, weight, dscale, int16 digits): the general
 *     and the fast reader agree with each other and with the value the
 *     digits spell, worked out here in decimal; the general one refuses
 *     exactly what is too wide at dscale (the zeros that pad numeric's last
 *     digit do not count), the fast one declines only past 9 digits or 127
 *     bits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "money.h"

/* Enough for any accepted amount: 1234 digits, 1000 decimals, sign, point. */
#define TEXT_MAX (64 * 20 + ABM_MONEY_MAX_SCALE + 8)
/* numeric digits taken from an input */
#define MAX_NDIGITS 700

static int
money_same(const abm_money *a, const abm_money *b)
{
	return a->neg == b->neg && a->scale == b->scale && a->nw == b->nw &&
		memcmp(a->mag, b->mag, sizeof(uint64_t) * (size_t) a->nw) == 0;
}

/* The full text, malloc'd; checks the length contract. */
static char *
money_text(const abm_money *m, size_t *len_out)
{
	size_t		need = abm_money_to_text(m, NULL, 0);
	char	   *buf = malloc(need + 1);

	FUZZ_CHECK(buf != NULL && need < TEXT_MAX);
	FUZZ_CHECK(abm_money_to_text(m, buf, need + 1) == need);
	FUZZ_CHECK(strlen(buf) == need);
	*len_out = need;
	return buf;
}

/* |units| >= 2^127: no signed 128-bit integer holds it. */
static int
past_127_bits(const abm_money *m)
{
	return m->nw > 2 || (m->nw == 2 && (m->mag[1] >> 63) != 0);
}

/*
 * numeric's digits of an accepted text [-]int[.frac]: base-10000 groups
 * aligned on the point, no zero group at either end (as numeric stores
 * them), dscale the number of decimals.  digits has room for len / 4 + 3.
 */
static int
text_to_nbase(const char *t, size_t len, int *neg, int *weight, int16_t *digits)
{
	char	   *buf = malloc(len + 8);
	size_t		i = 0,
				intlen,
				fraclen = 0,
				lead,
				n;
	const char *dot;
	int			first,
				last,
				k;

	FUZZ_CHECK(buf != NULL);
	*neg = len > 0 && t[0] == '-';
	if (*neg)
		i = 1;
	dot = memchr(t + i, '.', len - i);
	intlen = (dot != NULL ? (size_t) (dot - t) : len) - i;
	if (dot != NULL)
		fraclen = len - (size_t) (dot - t) - 1;
	/* left-pad the integer part, right-pad the fraction, to whole groups */
	lead = (4 - intlen % 4) % 4;
	memset(buf, '0', lead);
	memcpy(buf + lead, t + i, intlen);
	n = lead + intlen;
	if (fraclen > 0)
		memcpy(buf + n, dot + 1, fraclen);
	n += fraclen;
	while (n % 4 != 0)
		buf[n++] = '0';
	first = 0;
	last = (int) (n / 4) - 1;
	*weight = (int) ((lead + intlen) / 4) - 1;
	for (k = 0; k <= last; k++)
		digits[k] = (int16_t) ((buf[4 * k] - '0') * 1000 + (buf[4 * k + 1] - '0') * 100 +
							   (buf[4 * k + 2] - '0') * 10 + (buf[4 * k + 3] - '0'));
	while (first <= last && digits[first] == 0)
	{
		first++;
		(*weight)--;
	}
	while (last >= first && digits[last] == 0)
		last--;
	free(buf);
	if (first > last)
		return 0;
	memmove(digits, digits + first, sizeof(int16_t) * (size_t) (last - first + 1));
	return last - first + 1;
}

/* An accepted amount: every form and operation gives it back. */
static void
check_amount(const char *text, size_t len, const abm_money *x, const uint8_t *data, size_t size)
{
	abm_money	y,
				z;
	abm_error	err;
	char	   *out,
			   *out2;
	size_t		olen,
				olen2,
				i,
				intdigits = 0;
	int64_t		cells[ABM_MONEY_MAX_WORDS];
	int16_t    *digits;
	int			words,
				fewest,
				k,
				neg,
				weight,
				nd,
				canonical;
	const char *dot = memchr(text, '.', len);
	__int128	units;
	abm_status	st;

	/* the shape: scale is the decimals written, no zero on top, no -0 */
	FUZZ_CHECK(x->scale == (dot != NULL ? (int) (len - (size_t) (dot - text) - 1) : 0));
	FUZZ_CHECK(x->nw >= 0 && x->nw <= ABM_MONEY_MAX_WORDS);
	FUZZ_CHECK(x->nw == 0 || x->mag[x->nw - 1] != 0);
	FUZZ_CHECK(x->nw > 0 || !x->neg);
	FUZZ_CHECK(abm_money_sign(x) == (x->nw == 0 ? 0 : x->neg ? -1 : 1));

	/* prints back: to itself when canonical, to the same amount always */
	out = money_text(x, &olen);
	memset(&err, 0, sizeof(err));
	FUZZ_CHECK(abm_money_from_text(out, olen, &y, &err) == ABM_OK);
	FUZZ_CHECK(money_same(&y, x));
	out2 = money_text(&y, &olen2);
	FUZZ_CHECK(olen2 == olen && memcmp(out, out2, olen) == 0);
	free(out2);
	/* canonical: no leading zero, no sign on zero */
	k = text[0] == '-';
	for (i = (size_t) k; i < len && text[i] != '.'; i++)
		intdigits++;
	canonical = !(intdigits > 1 && text[k] == '0') && !(k && x->nw == 0);
	if (canonical && (olen != len || memcmp(out, text, len) != 0))
	{
		fprintf(stderr, "canonical amount \"%.*s\" printed back as \"%s\"\n", (int) len, text, out);
		FUZZ_CHECK(!"canonical amount prints back unchanged");
	}
	/* a short buffer: a NUL-terminated prefix, and the full length */
	if (olen > 0)
	{
		char	   *small = malloc(olen / 2 + 1);

		FUZZ_CHECK(small != NULL);
		FUZZ_CHECK(abm_money_to_text(x, small, olen / 2 + 1) == olen);
		FUZZ_CHECK(strlen(small) == olen / 2 && memcmp(small, out, olen / 2) == 0);
		free(small);
	}

	/*
	 * Two's complement words.  The fewest that hold x: the first width whose
	 * words read back as x; abm_money_words gives it, -2^(64w - 1) (w
	 * words) included.
	 */
	for (fewest = 1; fewest <= ABM_MONEY_MAX_WORDS; fewest++)
	{
		abm_money_to_cells(x, cells, fewest);
		abm_money_from_cells(cells, fewest, x->scale, &y);
		if (money_same(&y, x))
			break;
	}
	words = abm_money_words(x);
	FUZZ_CHECK(words >= 1 && words <= ABM_MONEY_MAX_WORDS + 1);
	if (fewest > ABM_MONEY_MAX_WORDS)
		FUZZ_CHECK(words == ABM_MONEY_MAX_WORDS + 1);
	else
		FUZZ_CHECK(words == fewest);
	if (words <= ABM_MONEY_MAX_WORDS)
	{
		abm_money_to_cells(x, cells, words);
		FUZZ_CHECK((cells[words - 1] < 0) == (x->neg != 0));
		abm_money_from_cells(cells, words, x->scale, &y);
		FUZZ_CHECK(money_same(&y, x));
		abm_money_to_cells(x, cells, ABM_MONEY_MAX_WORDS);
		abm_money_from_cells(cells, ABM_MONEY_MAX_WORDS, x->scale, &y);
		FUZZ_CHECK(money_same(&y, x));
		for (k = words; k < ABM_MONEY_MAX_WORDS; k++)
			FUZZ_CHECK(cells[k] == (x->neg ? -1 : 0));
	}
	else
		FUZZ_CHECK(x->nw == ABM_MONEY_MAX_WORDS && (x->mag[ABM_MONEY_MAX_WORDS - 1] >> 63) != 0);

	/* rescale up by k: the same value, the text grows by k zeros */
	k = size > 0 ? data[size - 1] % 40 : 0;
	y = *x;
	memset(&err, 0, sizeof(err));
	if (abm_money_rescale(&y, x->scale + k, &err) == ABM_OK)
	{
		FUZZ_CHECK(x->scale + k <= ABM_MONEY_MAX_SCALE);
		FUZZ_CHECK(y.scale == x->scale + k && abm_money_cmp(&y, x) == 0 && abm_money_cmp(x, &y) == 0);
		out2 = money_text(&y, &olen2);
		FUZZ_CHECK(olen2 == olen + (size_t) k + (x->scale == 0 && k > 0 ? 1 : 0));
		FUZZ_CHECK(memcmp(out2, out, olen) == 0);
		free(out2);
	}
	else
	{
		/* only past 1000 decimals, or past 10^1233 (just under 2^4096) */
		FUZZ_CHECK(err.status == ABM_ERR_LIMIT);
		FUZZ_CHECK(x->scale + k > ABM_MONEY_MAX_SCALE || olen + (size_t) k > 1233);
	}
	FUZZ_CHECK(abm_money_rescale(&y, 0, &err) == ABM_OK && y.scale >= x->scale);	/* never falls */

	/* x - x is a zero that is not negative; x + x - x is x */
	z = *x;
	FUZZ_CHECK(abm_money_add(&z, x, -1, &err) == ABM_OK);
	FUZZ_CHECK(z.nw == 0 && !z.neg && z.scale == x->scale);
	z = *x;
	memset(&err, 0, sizeof(err));
	if (abm_money_add(&z, x, 1, &err) == ABM_OK)
	{
		FUZZ_CHECK(abm_money_cmp(&z, x) == abm_money_sign(x));
		FUZZ_CHECK(abm_money_add(&z, x, -1, &err) == ABM_OK);
		FUZZ_CHECK(money_same(&z, x));
	}
	else
		FUZZ_CHECK(err.status == ABM_ERR_LIMIT && x->nw == ABM_MONEY_MAX_WORDS &&
				   (x->mag[ABM_MONEY_MAX_WORDS - 1] >> 63) != 0);

	/* numeric's digits of the same text read as the same amount */
	digits = malloc(sizeof(int16_t) * (len / 4 + 3));
	FUZZ_CHECK(digits != NULL);
	nd = text_to_nbase(text, len, &neg, &weight, digits);
	memset(&err, 0, sizeof(err));
	st = abm_money_from_nbase(neg, weight, x->scale, digits, nd, &y, &err);
	if (st != ABM_OK)
	{
		/* the zeros that pad the last digit past dscale do not count: no amount is refused */
		fprintf(stderr, "numeric digits of \"%.*s\" rejected: %s\n", (int) len, text, err.detail);
		FUZZ_CHECK(!"from_nbase reads an amount's digits");
	}
	FUZZ_CHECK(money_same(&y, x));
	/* the fast path declines only past 9 digits or 127 bits; zero (no digits) it takes at any scale */
	if (abm_money_units_from_nbase(neg, weight, x->scale, digits, nd, &units))
	{
		abm_money_from_units(units, x->scale, &z);
		FUZZ_CHECK(money_same(&z, x));
	}
	else
		FUZZ_CHECK(nd > 9 || past_127_bits(x));
	free(digits);
	free(out);
}

/*
 * The decimal text numeric's digits spell (as money.h defines them), or
 * NULL when a digit past dscale is not zero; with `truncate`, the digits
 * past dscale left out whatever they are.  Digits are in 0..9999.
 */
static char *
nbase_text(int neg, int weight, int dscale, const int16_t *digits, int nd, int truncate)
{
	int			point = 4 * (weight + 1),
				pad = point < 1 ? 1 - point : 0,
				n = 4 * nd + pad,
				start,
				i,
				o = 0;
	char	   *all = malloc((size_t) (n + dscale + 4 * 130 + 8)),
			   *out = malloc((size_t) (n + dscale + 4 * 130 + 8));

	FUZZ_CHECK(all != NULL && out != NULL);
	memset(all, '0', (size_t) pad);
	for (i = 0; i < nd; i++)
		sprintf(all + pad + 4 * i, "%04d", digits[i]);
	point += pad;
	while (n < point + dscale)
		all[n++] = '0';
	for (i = point + dscale; i < n && !truncate; i++)
		if (all[i] != '0')
		{
			free(all);
			free(out);
			return NULL;
		}
	n = point + dscale;
	for (start = 0; start < point - 1 && all[start] == '0'; start++)
		;
	for (i = 0; i < n && all[i] == '0'; i++)
		;
	if (neg && i < n)
		out[o++] = '-';
	memcpy(out + o, all + start, (size_t) (point - start));
	o += point - start;
	if (dscale > 0)
	{
		out[o++] = '.';
		memcpy(out + o, all + point, (size_t) dscale);
		o += dscale;
	}
	out[o] = '\0';
	free(all);
	return out;
}

/* The input as numeric's digits: byte 0 the sign, 1 the weight, 2-3 dscale, then int16 digits. */
static void
check_nbase(const uint8_t *data, size_t size)
{
	int16_t		digits[MAX_NDIGITS];
	int			neg,
				weight,
				dscale,
				nd = 0,
				valid = 1,
				fast,
				i;
	abm_money	m,
				t;
	abm_error	err;
	abm_status	st;
	__int128	units;

	if (size < 4)
		return;
	neg = data[0] & 1;
	weight = (int8_t) data[1];
	dscale = (data[2] | (data[3] << 8)) % 1040;
	/* mostly digits in range: the low byte's top bit sends a raw int16 */
	for (i = 4; i + 1 < (int) size && nd < MAX_NDIGITS; i += 2)
	{
		int			raw = (int16_t) (data[i] | (data[i + 1] << 8));

		digits[nd] = (int16_t) ((data[i] & 0x80) ? raw : (raw & 0x7fff) % 10000);
		if (digits[nd] < 0 || digits[nd] > 9999)
			valid = 0;
		nd++;
	}

	memset(&err, 0, sizeof(err));
	st = abm_money_from_nbase(neg, weight, dscale, digits, nd, &m, &err);
	fast = abm_money_units_from_nbase(neg, weight, dscale, digits, nd, &units);
	if (st != ABM_OK)
	{
		FUZZ_CHECK(err.status == st && err.detail[0] != '\0');
		FUZZ_CHECK(!fast);
	}
	if (dscale > ABM_MONEY_MAX_SCALE)
	{
		FUZZ_CHECK(st == ABM_ERR_LIMIT);
		return;
	}
	if (!valid)
	{
		/* every digit is checked before any is read */
		FUZZ_CHECK(st == ABM_ERR_SYNTAX);
		return;
	}
	{
		char	   *want = nbase_text(neg, weight, dscale, digits, nd, 0);
		char	   *cut = nbase_text(neg, weight, dscale, digits, nd, 1);
		abm_money	w;
		abm_status	wst = want != NULL ? abm_money_from_text(want, strlen(want), &w, &err) : ABM_ERR_SYNTAX;

		if (want == NULL)
		{
			/* nonzero digits past dscale, unless the digits kept are already too wide */
			FUZZ_CHECK(st == ABM_ERR_SYNTAX ||
					   (st == ABM_ERR_LIMIT && abm_money_from_text(cut, strlen(cut), &w, NULL) == ABM_ERR_LIMIT));
		}
		else
		{
			/* too wide exactly when the value is: padding zeros past dscale do not count */
			FUZZ_CHECK(wst == ABM_OK || wst == ABM_ERR_LIMIT);
			if (wst != st)
			{
				fprintf(stderr, "numeric %s (weight %d, dscale %d, %d digits): status %d, the text's %d: %s\n",
						want, weight, dscale, nd, (int) st, (int) wst, err.detail);
				FUZZ_CHECK(!"from_nbase reads what the digits spell");
			}
			if (st == ABM_OK && !money_same(&m, &w))
			{
				size_t		l;
				char	   *got = money_text(&m, &l);

				fprintf(stderr, "numeric read as %s, the digits spell %s\n", got, want);
				FUZZ_CHECK(!"from_nbase value");
			}
		}
		free(want);
		free(cut);
	}
	if (st == ABM_OK)
	{
		FUZZ_CHECK(m.scale == dscale);
		if (fast)
		{
			abm_money_from_units(units, dscale, &t);
			FUZZ_CHECK(money_same(&t, &m));
		}
		else
		{
			/* the fast path declines only past 9 digits or 127 bits; zero, however spelled, it takes */
			FUZZ_CHECK(nd > 9 || past_127_bits(&m));
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *) data;
	abm_money	x;
	abm_error	err;
	abm_status	st;

	memset(&err, 0, sizeof(err));
	st = abm_money_from_text(text, size, &x, &err);
	if (st != ABM_OK)
	{
		FUZZ_CHECK(st == ABM_ERR_SYNTAX || st == ABM_ERR_LIMIT);
		FUZZ_CHECK(err.status == st);
		FUZZ_CHECK(memchr(err.detail, '\0', sizeof(err.detail)) != NULL && err.detail[0] != '\0');
	}
	else
		check_amount(text, size, &x, data, size);
	check_nbase(data, size);
	return 0;
}
