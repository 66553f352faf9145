/*
 * money.c — exact decimal amounts (see money.h).
 *
 * Magnitudes are little-endian arrays of 64-bit words; products and
 * quotients by one word go through 128-bit intermediates.
 */
#include "money.h"

#include <string.h>

#define POW10_19 UINT64_C(10000000000000000000)

static void
trim(abm_money *m)
{
	while (m->nw > 0 && m->mag[m->nw - 1] == 0)
		m->nw--;
	if (m->nw == 0)
		m->neg = 0;
}

void
abm_money_zero(abm_money *m, int scale)
{
	m->neg = 0;
	m->scale = scale;
	m->nw = 0;
}

int
abm_money_sign(const abm_money *m)
{
	return m->nw == 0 ? 0 : (m->neg ? -1 : 1);
}

/* mag = mag * f + add; 0 when the result would not fit ABM_MONEY_MAX_WORDS. */
static int
mag_mul_add(abm_money *m, uint64_t f, uint64_t add)
{
	unsigned __int128 carry = add;
	int			i;

	for (i = 0; i < m->nw; i++)
	{
		unsigned __int128 p = (unsigned __int128) m->mag[i] * f + carry;

		m->mag[i] = (uint64_t) p;
		carry = p >> 64;
	}
	if (carry != 0)
	{
		if (m->nw == ABM_MONEY_MAX_WORDS)
			return 0;
		m->mag[m->nw++] = (uint64_t) carry;
	}
	return 1;
}

/* mag = mag / d; returns the remainder. */
static uint64_t
mag_div(abm_money *m, uint64_t d)
{
	unsigned __int128 rem = 0;
	int			i;

	for (i = m->nw - 1; i >= 0; i--)
	{
		unsigned __int128 cur = (rem << 64) | m->mag[i];

		m->mag[i] = (uint64_t) (cur / d);
		rem = cur % d;
	}
	while (m->nw > 0 && m->mag[m->nw - 1] == 0)
		m->nw--;
	return (uint64_t) rem;
}

static uint64_t
pow10_u64(int k)
{
	uint64_t	p = 1;

	while (k-- > 0)
		p *= 10;
	return p;
}

__int128
abm_pow10_i128(int k)
{
	__int128	p = 1;

	while (k-- > 0)
		p *= 10;
	return p;
}

static abm_status
too_wide(abm_error *err)
{
	return abm_fail(err, ABM_ERR_LIMIT, "an amount would need more than %d words of 64 bits.", ABM_MONEY_MAX_WORDS);
}

abm_status
abm_money_rescale(abm_money *m, int scale, abm_error *err)
{
	int			k;

	if (scale > ABM_MONEY_MAX_SCALE)
		return abm_fail(err, ABM_ERR_LIMIT, "an amount would have %d digits after the decimal point; at most %d are kept.",
						scale, ABM_MONEY_MAX_SCALE);
	if (scale <= m->scale)
		return ABM_OK;
	for (k = scale - m->scale; k > 0; k -= 19)
		if (!mag_mul_add(m, k >= 19 ? POW10_19 : pow10_u64(k), 0))
			return too_wide(err);
	m->scale = scale;
	return ABM_OK;
}

static int
mag_cmp(const abm_money *a, const abm_money *b)
{
	int			i;

	if (a->nw != b->nw)
		return a->nw < b->nw ? -1 : 1;
	for (i = a->nw - 1; i >= 0; i--)
		if (a->mag[i] != b->mag[i])
			return a->mag[i] < b->mag[i] ? -1 : 1;
	return 0;
}

int
abm_money_cmp(const abm_money *a, const abm_money *b)
{
	abm_money	x,
				y;
	int			sa = abm_money_sign(a),
				sb = abm_money_sign(b),
				c;

	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (sa == 0)
		return 0;
	x = *a;
	y = *b;
	/* equal signs: compare magnitudes at one scale (too wide: the wider value is larger) */
	if (abm_money_rescale(&x, y.scale, NULL) != ABM_OK)
		return sa;
	if (abm_money_rescale(&y, x.scale, NULL) != ABM_OK)
		return -sa;
	c = mag_cmp(&x, &y);
	return sa > 0 ? c : -c;
}

/* a->mag += b->mag */
static int
mag_add(abm_money *a, const abm_money *b)
{
	unsigned __int128 carry = 0;
	int			n = a->nw > b->nw ? a->nw : b->nw,
				i;

	for (i = 0; i < n; i++)
	{
		unsigned __int128 s = carry + (i < a->nw ? a->mag[i] : 0) + (i < b->nw ? b->mag[i] : 0);

		a->mag[i] = (uint64_t) s;
		carry = s >> 64;
	}
	a->nw = n;
	if (carry != 0)
	{
		if (n == ABM_MONEY_MAX_WORDS)
			return 0;
		a->mag[a->nw++] = 1;
	}
	return 1;
}

/* out->mag = big->mag - small->mag, big >= small; out may be big */
static void
mag_sub(abm_money *out, const abm_money *big, const abm_money *small)
{
	uint64_t	borrow = 0;
	int			i;

	for (i = 0; i < big->nw; i++)
	{
		uint64_t	s = i < small->nw ? small->mag[i] : 0;
		uint64_t	d = big->mag[i] - s - borrow;

		borrow = (big->mag[i] < s || (big->mag[i] == s && borrow)) ? 1 : 0;
		out->mag[i] = d;
	}
	out->nw = big->nw;
	trim(out);
}

abm_status
abm_money_add(abm_money *a, const abm_money *b, int sign, abm_error *err)
{
	abm_money	y = *b;
	int			yneg;

	if (abm_money_rescale(a, y.scale, err) != ABM_OK || abm_money_rescale(&y, a->scale, err) != ABM_OK)
		return ABM_ERR_LIMIT;
	if (y.nw == 0)
		return ABM_OK;
	yneg = sign < 0 ? !y.neg : y.neg;
	if (a->nw == 0 || a->neg == yneg)
	{
		if (!mag_add(a, &y))
			return too_wide(err);
		a->neg = yneg;
		return ABM_OK;
	}
	if (mag_cmp(a, &y) >= 0)
		mag_sub(a, a, &y);
	else
	{
		mag_sub(a, &y, a);
		a->neg = yneg;
	}
	trim(a);
	return ABM_OK;
}

abm_status
abm_money_from_nbase(int neg, int weight, int dscale, const int16_t *digits, int ndigits,
					 abm_money *out, abm_error *err)
{
	int			natural,
				i;

	int			cut,
				whole;

	abm_money_zero(out, 0);
	if (dscale < 0 || dscale > ABM_MONEY_MAX_SCALE)
		return abm_fail(err, dscale < 0 ? ABM_ERR_SYNTAX : ABM_ERR_LIMIT,
						"an amount with %d digits after the decimal point is not supported; at most %d are kept.",
						dscale, ABM_MONEY_MAX_SCALE);
	for (i = 0; i < ndigits; i++)
		if (digits[i] < 0 || digits[i] > 9999)
			return abm_fail(err, ABM_ERR_SYNTAX, "numeric digit %d is not a base-10000 digit.", digits[i]);
	/*
	 * The digits as an integer times 10^natural; the decimal digits past
	 * dscale (cut of them, the padding of the last base-10000 digit) must
	 * be zeros and are left out as they are read, so that an amount near
	 * the widest is not refused for zeros it does not keep.
	 */
	natural = ndigits == 0 ? 0 : 4 * (ndigits - 1 - weight);
	cut = natural > dscale ? natural - dscale : 0;
	whole = ndigits - cut / 4 - (cut % 4 > 0 ? 1 : 0);
	for (i = 0; i < ndigits; i++)
	{
		uint64_t	d = (uint64_t) digits[i];

		if (i < whole)
		{
			if (!mag_mul_add(out, 10000, d))
				return too_wide(err);
		}
		else if (i == whole && cut % 4 > 0)
		{
			uint64_t	p = pow10_u64(cut % 4);

			if (d % p != 0)
				return abm_fail(err, ABM_ERR_SYNTAX, "numeric has nonzero digits past its scale %d.", dscale);
			if (!mag_mul_add(out, 10000 / p, d / p))
				return too_wide(err);
		}
		else if (d != 0)
			return abm_fail(err, ABM_ERR_SYNTAX, "numeric has nonzero digits past its scale %d.", dscale);
	}
	if (natural < dscale)
	{
		out->scale = natural;
		if (abm_money_rescale(out, dscale, err) != ABM_OK)
			return ABM_ERR_LIMIT;
	}
	out->scale = dscale;
	out->neg = neg != 0;
	trim(out);
	return ABM_OK;
}

const uint64_t abm_pow10_u64[20] = {
	UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000), UINT64_C(10000), UINT64_C(100000),
	UINT64_C(1000000), UINT64_C(10000000), UINT64_C(100000000), UINT64_C(1000000000),
	UINT64_C(10000000000), UINT64_C(100000000000), UINT64_C(1000000000000),
	UINT64_C(10000000000000), UINT64_C(100000000000000), UINT64_C(1000000000000000),
	UINT64_C(10000000000000000), UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
	UINT64_C(10000000000000000000)
};

int
abm_money_units_from_nbase_wide(int neg, int weight, int dscale, const int16_t *digits, int ndigits,
								__int128 *units)
{
	__int128	n = 0;
	int			natural,
				i;

	if (dscale < 0 || dscale > ABM_MONEY_MAX_SCALE || ndigits > 9)
		return 0;
	if (ndigits == 0)
	{
		*units = 0;
		return 1;
	}
	for (i = 0; i < ndigits; i++)
	{
		if (digits[i] < 0 || digits[i] > 9999)
			return 0;
		n = n * 10000 + digits[i];	/* 9 digits: below 10^36 */
	}
	if (n == 0)
	{
		*units = 0;				/* zero, however it is written */
		return 1;
	}
	natural = ndigits == 0 ? 0 : 4 * (ndigits - 1 - weight);
	if (natural < dscale)
	{
		if (dscale - natural > 38 || __builtin_mul_overflow(n, abm_pow10_i128(dscale - natural), &n))
			return 0;
	}
	else if (natural > dscale)
	{
		__int128	p;

		if (natural - dscale > 38)
			return 0;
		p = abm_pow10_i128(natural - dscale);
		if (n % p != 0)
			return 0;
		n /= p;
	}
	*units = neg ? -n : n;
	return 1;
}

void
abm_money_from_units(__int128 units, int scale, abm_money *out)
{
	unsigned __int128 u = units < 0 ? -(unsigned __int128) units : (unsigned __int128) units;

	out->neg = units < 0;
	out->scale = scale;
	out->mag[0] = (uint64_t) u;
	out->mag[1] = (uint64_t) (u >> 64);
	out->nw = 2;
	trim(out);
}

abm_status
abm_money_from_text(const char *text, size_t len, abm_money *out, abm_error *err)
{
	const char *p = text,
			   *end = text + len;
	int			neg = 0,
				intdigits = 0,
				scale = 0;

	abm_money_zero(out, 0);
	if (p < end && *p == '-')
	{
		neg = 1;
		p++;
	}
	for (; p < end && *p >= '0' && *p <= '9'; p++, intdigits++)
		if (!mag_mul_add(out, 10, (uint64_t) (*p - '0')))
			return too_wide(err);
	if (intdigits == 0)
		return abm_fail(err, ABM_ERR_SYNTAX, "an amount must start with a digit.");
	if (p < end && *p == '.')
	{
		p++;
		for (; p < end && *p >= '0' && *p <= '9'; p++)
		{
			if (++scale > ABM_MONEY_MAX_SCALE)
				return abm_fail(err, ABM_ERR_LIMIT, "an amount has more than %d digits after the decimal point.",
								ABM_MONEY_MAX_SCALE);
			if (!mag_mul_add(out, 10, (uint64_t) (*p - '0')))
				return too_wide(err);
		}
		if (scale == 0)
			return abm_fail(err, ABM_ERR_SYNTAX, "an amount needs a digit after its decimal point.");
	}
	if (p != end)
		return abm_fail(err, ABM_ERR_SYNTAX, "an amount is digits with an optional decimal point.");
	out->scale = scale;
	out->neg = neg;
	trim(out);
	return ABM_OK;
}

size_t
abm_money_to_text(const abm_money *m, char *buf, size_t bufsize)
{
	/* 4096 bits are at most 1234 digits; the scale may add zeros */
	char		digits[ABM_MONEY_MAX_WORDS * 20 + ABM_MONEY_MAX_SCALE + 4];
	abm_money	q = *m;
	size_t		n = 0,
				need,
				i,
				o = 0;

	/* digits, least significant first, 19 at a time */
	while (q.nw > 0)
	{
		uint64_t	chunk = mag_div(&q, POW10_19);
		int			k;

		for (k = 0; k < 19 && (q.nw > 0 || chunk > 0); k++)
		{
			digits[n++] = (char) ('0' + chunk % 10);
			chunk /= 10;
		}
		if (q.nw > 0)
			for (; k < 19; k++)
				digits[n++] = '0';
	}
	while (n < (size_t) m->scale + 1)
		digits[n++] = '0';

	need = (m->neg ? 1 : 0) + n + (m->scale > 0 ? 1 : 0);
	if (bufsize == 0)
		return need;
	if (m->neg && o + 1 < bufsize)
		buf[o++] = '-';
	for (i = n; i > 0 && o + 1 < bufsize; i--)
	{
		if (i == (size_t) m->scale && m->scale > 0)
		{
			buf[o++] = '.';
			if (o + 1 >= bufsize)
				break;
		}
		buf[o++] = digits[i - 1];
	}
	buf[o] = '\0';
	return need;
}

int
abm_money_words(const abm_money *m)
{
	int			bits = 0;
	uint64_t	top;

	if (m->nw == 0)
		return 1;
	top = m->mag[m->nw - 1];
	bits = 64 * (m->nw - 1) + (64 - __builtin_clzll(top));
	if (m->neg && (top & (top - 1)) == 0)
	{
		int			i;

		/* -2^(b-1) needs b bits, one less than 2^(b-1) */
		for (i = 0; i < m->nw - 1 && m->mag[i] == 0; i++)
			;
		if (i == m->nw - 1)
			bits--;
	}
	/* one more bit for the sign */
	return bits / 64 + 1;
}

void
abm_money_to_cells(const abm_money *m, int64_t *cells, int words)
{
	uint64_t	carry = 1;
	int			i;

	for (i = 0; i < words; i++)
	{
		uint64_t	w = i < m->nw ? m->mag[i] : 0;

		if (m->neg)
		{
			/* two's complement: invert and add one */
			w = ~w + carry;
			carry = carry && w == 0;
		}
		cells[i] = (int64_t) w;
	}
}

void
abm_money_from_cells(const int64_t *cells, int words, int scale, abm_money *out)
{
	int			neg = words > 0 && cells[words - 1] < 0;
	uint64_t	carry = 1;
	int			i;

	out->scale = scale;
	for (i = 0; i < words; i++)
	{
		uint64_t	w = (uint64_t) cells[i];

		if (neg)
		{
			w = ~w + carry;
			carry = carry && w == 0;
		}
		out->mag[i] = w;
	}
	out->nw = words;
	out->neg = neg;
	trim(out);
}
