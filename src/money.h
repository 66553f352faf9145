/*
 * money.h — exact decimal amounts, as abm's states sum them.  Plain C.
 *
 * An amount is an integer number of units of 10^-scale: 12.50 is 1250 at
 * scale 2.  A sum keeps the largest scale of its inputs (as PostgreSQL's
 * sum(numeric) does), so it is exact to the last digit of every input.
 * States hold amounts as two's complement integers of a few 64-bit words
 * (two, a 128-bit fixed point, unless a sum needs more); this type is the
 * sign-and-magnitude form the arithmetic works on.
 */
#ifndef ABM_MONEY_H
#define ABM_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "state.h"

/* Widest amount: ABM_MONEY_MAX_WORDS (state.h) words, 4096 bits, about 1230 digits. */
/* Most digits after the decimal point (numeric's own limit for a typmod). */
#define ABM_MONEY_MAX_SCALE 1000

typedef struct abm_money
{
	int			neg;			/* 1 when below zero; 0 for zero */
	int			scale;			/* digits after the decimal point */
	int			nw;				/* words of mag in use: mag[nw - 1] != 0; 0 for zero */
	uint64_t	mag[ABM_MONEY_MAX_WORDS];	/* magnitude, least significant word first */
} abm_money;

void		abm_money_zero(abm_money *m, int scale);

/* -1, 0 or 1. */
int			abm_money_sign(const abm_money *m);

/* Compare the values (scales may differ). */
int			abm_money_cmp(const abm_money *a, const abm_money *b);

/* Raise the scale (never lowers it): multiplies the units; ABM_ERR_LIMIT past the widest amount. */
abm_status	abm_money_rescale(abm_money *m, int scale, abm_error *err);

/* a += sign * b (sign 1 or -1), at the larger of the two scales. */
abm_status	abm_money_add(abm_money *a, const abm_money *b, int sign, abm_error *err);

/*
 * An amount from PostgreSQL's numeric digits: base-10000 digits, the first
 * of weight `weight` (the value is sum of digits[i] * 10000^(weight - i)),
 * with `dscale` digits shown after the point.  Digits past dscale must be 0.
 */
abm_status	abm_money_from_nbase(int neg, int weight, int dscale,
								 const int16_t *digits, int ndigits,
								 abm_money *out, abm_error *err);

/* 10^k for 0 <= k <= 19. */
extern const uint64_t abm_pow10_u64[20];

/* abm_money_units_from_nbase for any number of digits (out of line). */
int			abm_money_units_from_nbase_wide(int neg, int weight, int dscale,
											const int16_t *digits, int ndigits,
											__int128 *units);

/*
 * The same, when the amount fits a 128-bit integer of units at dscale:
 * returns 1 and sets *units, else 0 (then use abm_money_from_nbase, which
 * also reports malformed digits).  The per-row fast path: an amount of up
 * to four base-10000 digits (16 decimal digits, as numeric(12,2) and most
 * money columns hold) is read with 64-bit arithmetic, and the usual scale
 * cut inside the last digit (1234.5 is the digits 1234, 5000 at scale 1)
 * divides by a constant.
 */
static inline int
abm_money_units_from_nbase(int neg, int weight, int dscale, const int16_t *digits, int ndigits,
						   __int128 *units)
{
	uint64_t	n = 0,
				q;
	int			natural,
				i;

	if (ndigits > 4 || dscale > 19)
		return abm_money_units_from_nbase_wide(neg, weight, dscale, digits, ndigits, units);
	for (i = 0; i < ndigits; i++)
	{
		if ((uint16_t) digits[i] > 9999)
			return 0;
		n = n * 10000 + (uint64_t) digits[i];	/* below 10^16 */
	}
	natural = ndigits == 0 ? 0 : 4 * (ndigits - 1 - weight);
	if (natural > dscale)
	{
		switch (natural - dscale)
		{
			case 1:
				q = n / 10;
				break;
			case 2:
				q = n / 100;
				break;
			case 3:
				q = n / 1000;
				break;
			default:
				return abm_money_units_from_nbase_wide(neg, weight, dscale, digits, ndigits, units);
		}
		if (q * abm_pow10_u64[natural - dscale] != n)
			return 0;			/* nonzero digits past the scale */
		*units = neg ? -(__int128) q : (__int128) q;
		return 1;
	}
	if (natural < dscale)
	{
		/* below 10^16 times at most 10^19: fits */
		if (dscale - natural > 19)
			return abm_money_units_from_nbase_wide(neg, weight, dscale, digits, ndigits, units);
		*units = (__int128) n * abm_pow10_u64[dscale - natural];
	}
	else
		*units = (__int128) n;
	if (neg)
		*units = -*units;
	return 1;
}

/* 10^k for 0 <= k <= 38. */
__int128	abm_pow10_i128(int k);

/*
 * units x 10^-scale as the nearest double, when it is one division of two
 * exact doubles (|units| < 2^53, scale <= 22), which IEEE rounds
 * correctly: 1; else 0 (the caller converts another way).
 */
static inline int
abm_units_to_double(__int128 units, int scale, double *out)
{
	static const double pow10[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

	if (scale < 0 || scale > 22 || units >= ((__int128) 1 << 53) || units <= -((__int128) 1 << 53))
		return 0;
	*out = (double) (int64_t) units / pow10[scale];
	return 1;
}

/* A 128-bit integer of units at `scale` as an amount. */
void		abm_money_from_units(__int128 units, int scale, abm_money *out);

/*
 * Strict decimal text: optional '-', digits, optionally '.' and digits; no
 * exponent, no blanks.  The scale is the number of digits after the point.
 */
abm_status	abm_money_from_text(const char *text, size_t len, abm_money *out, abm_error *err);

/* Decimal text with exactly `scale` digits after the point; returns the length needed. */
size_t		abm_money_to_text(const abm_money *m, char *buf, size_t bufsize);

/* Fewest two's complement 64-bit words that hold the amount (at least 1). */
int			abm_money_words(const abm_money *m);

/* Write as `words` two's complement words, least significant first (words >= abm_money_words). */
void		abm_money_to_cells(const abm_money *m, int64_t *cells, int words);

/* Read `words` two's complement words, least significant first. */
void		abm_money_from_cells(const int64_t *cells, int words, int scale, abm_money *out);

#endif							/* ABM_MONEY_H */
