/*
 * money_pg.c — amounts between numeric and abm's exact money (money_pg.h).
 */
#include "money_pg.h"

#include "utils/builtins.h"
#include "utils/numeric.h"

void
abm_bad_amount(const char *what, Datum value, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s %s is out of range for an amount of money", what,
					DatumGetCString(DirectFunctionCall1(numeric_out, value))),
			 errdetail("%s", why),
			 errhint("MRR is a finite amount of zero or more; an account that does not pay has 0.")));
}

void
abm_numeric_money(Datum value, const char *what, abm_money *out)
{
	struct varlena *v;
	NumericParts n;
	int16	   *digits;
	abm_error	err;
	__int128	units;
	int			scale;

	/* up to 36 digits: 128-bit arithmetic on the value where it lies */
	if (abm_numeric_units(value, what, &units, &scale))
	{
		abm_money_from_units(units, scale, out);
		return;
	}
	n = numeric_parts(value, &v);

	if (n.special)
		abm_bad_amount(what, value, "NaN and infinity are not amounts.");
	if (n.neg && n.ndigits > 0)
		abm_bad_amount(what, value, "An amount of money is not negative.");
	digits = palloc(sizeof(int16) * (n.ndigits + 1));
	memcpy(digits, n.digits, sizeof(int16) * n.ndigits);
	if (abm_money_from_nbase(0, n.weight, n.dscale, digits, n.ndigits, out, &err) != ABM_OK)
		abm_state_report(&err);
	pfree(digits);
}

Datum
abm_money_numeric(const abm_money *m)
{
	size_t		need;
	char	   *buf;

	/* an int64 of units: numeric's own division by 10^scale, no text */
	if (m->nw == 0 || (m->nw == 1 && m->mag[0] <= (uint64) PG_INT64_MAX))
	{
		int64		units = m->nw == 0 ? 0 : (int64) m->mag[0];

		return NumericGetDatum(int64_div_fast_to_numeric(m->neg ? -units : units, m->scale));
	}
	need = abm_money_to_text(m, NULL, 0);
	buf = palloc(need + 1);
	abm_money_to_text(m, buf, need + 1);
	return DirectFunctionCall3(numeric_in, CStringGetDatum(buf), ObjectIdGetDatum(InvalidOid),
							   Int32GetDatum(-1));
}


Datum
abm_numeric_ratio(Datum num, Datum den, bool den_zero, bool *isnull)
{
	*isnull = den_zero;
	return den_zero ? (Datum) 0 : DirectFunctionCall2(numeric_div, num, den);
}

Datum
abm_units_numeric(__int128 units, int scale)
{
	abm_money	m;

	/* the common case without text: an int64 of units, numeric's own division by 10^scale */
	if (units >= PG_INT64_MIN && units <= PG_INT64_MAX)
		return NumericGetDatum(int64_div_fast_to_numeric((int64) units, scale));
	abm_money_from_units(units, scale, &m);
	return abm_money_numeric(&m);
}
