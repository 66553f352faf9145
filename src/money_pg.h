/*
 * money_pg.h — amounts between PostgreSQL's numeric and abm's exact money.
 *
 * numeric values are read from their stored bytes (the on-disk format of
 * numeric, which pg_upgrade keeps stable): a short or long header, then
 * base-10000 digits.  That lets a per-row step turn an amount into a
 * 128-bit integer without allocating, where PG_GETARG_NUMERIC would copy
 * every short value.
 */
#ifndef ABM_MONEY_PG_H
#define ABM_MONEY_PG_H

#include "abm_pg.h"
#include "money.h"

#define NUMERIC_SIGN_MASK	0xC000
#define NUMERIC_NEG			0x4000
#define NUMERIC_SHORT		0x8000
#define NUMERIC_SPECIAL		0xC000
#define NUMERIC_SHORT_SIGN	0x2000
#define NUMERIC_SHORT_DSCALE_MASK 0x1F80
#define NUMERIC_SHORT_DSCALE_SHIFT 7
#define NUMERIC_SHORT_WEIGHT_SIGN 0x0040
#define NUMERIC_SHORT_WEIGHT_MASK 0x003F
#define NUMERIC_DSCALE_MASK	0x3FFF

typedef struct NumericParts
{
	bool		special;		/* NaN or an infinity */
	int			neg;
	int			weight;
	int			dscale;
	int			ndigits;
	const char *digits;			/* ndigits int16s, maybe unaligned */
} NumericParts;

static pg_attribute_always_inline NumericParts
numeric_parts(Datum value, struct varlena **detoasted)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(value);
	const char *p;
	Size		len;
	uint16		h;
	NumericParts n = {0};

	/* a plain value, short or not, is read where it lies */
	if (unlikely(VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v)))
		v = pg_detoast_datum_packed(v);
	p = VARDATA_ANY(v);
	len = VARSIZE_ANY_EXHDR(v);
	*detoasted = v;
	memcpy(&h, p, sizeof(h));
	if ((h & NUMERIC_SIGN_MASK) == NUMERIC_SPECIAL)
		n.special = true;
	else if ((h & NUMERIC_SIGN_MASK) == NUMERIC_SHORT)
	{
		n.neg = (h & NUMERIC_SHORT_SIGN) != 0;
		n.dscale = (h & NUMERIC_SHORT_DSCALE_MASK) >> NUMERIC_SHORT_DSCALE_SHIFT;
		n.weight = ((h & NUMERIC_SHORT_WEIGHT_SIGN) ? ~NUMERIC_SHORT_WEIGHT_MASK : 0) |
			(h & NUMERIC_SHORT_WEIGHT_MASK);
		n.digits = p + 2;
		n.ndigits = (int) ((len - 2) / 2);
	}
	else
	{
		int16		w;

		n.neg = (h & NUMERIC_SIGN_MASK) == NUMERIC_NEG;
		n.dscale = h & NUMERIC_DSCALE_MASK;
		memcpy(&w, p + 2, sizeof(w));
		n.weight = w;
		n.digits = p + 4;
		n.ndigits = (int) ((len - 4) / 2);
	}
	return n;
}

/* An amount that is negative, NaN or infinite: 22003 naming it (what: "previous MRR"). */
extern void abm_bad_amount(const char *what, Datum value, const char *why) pg_attribute_noreturn();

/*
 * The amount of a numeric argument as a 128-bit integer of units at its own
 * scale, when it fits (true); negative, NaN and infinite amounts are errors.
 */
static pg_attribute_always_inline bool
abm_numeric_units(Datum value, const char *what, __int128 *units, int *scale)
{
	struct varlena *v;
	NumericParts n = numeric_parts(value, &v);
	int16		digits[9];

	if (unlikely(n.special))
		abm_bad_amount(what, value, "NaN and infinity are not amounts.");
	if (unlikely(n.neg && n.ndigits > 0))
		abm_bad_amount(what, value, "An amount of money is not negative.");
	if (n.ndigits > 9)
		return false;
	memcpy(digits, n.digits, sizeof(int16) * n.ndigits);
	*scale = n.dscale;
	return abm_money_units_from_nbase(0, n.weight, n.dscale, digits, n.ndigits, units) != 0;
}

/* The amount of a numeric argument, any size (the general path). */
extern void abm_numeric_money(Datum value, const char *what, abm_money *out);

/* An amount as numeric, at its scale. */
extern Datum abm_money_numeric(const abm_money *m);

/* num / den as numeric; when den_zero, (Datum) 0 with *isnull set (a rate with no denominator). */
extern Datum abm_numeric_ratio(Datum num, Datum den, bool den_zero, bool *isnull);

/* units x 10^-scale as numeric. */
extern Datum abm_units_numeric(__int128 units, int scale);

#endif							/* ABM_MONEY_PG_H */
