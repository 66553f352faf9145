/*
 * fuzz_state_binary.c — libFuzzer harness of abm_state_from_binary.
 *
 * Each input is decoded as the binary form of every schema (nps_state,
 * csat_state and a test-only state with rows), and, as the aggregates'
 * deserialize function reads a partial state, as a kind byte (found with
 * abm_state_schema_by_kind) and 8 parameter bytes before the binary form.
 * Accepted input must give a valid state whose binary form is the input
 * itself, whose text form round-trips, and that merges with itself (counts
 * double) or reports ABM_ERR_RANGE.  See fuzz_state_common.h.
 */
#include "fuzz_state_common.h"

static void
fuzz_one_binary(const abm_state_schema *sch, const uint8_t *in, size_t len)
{
	uint32_t	cap = abm_state_binary_max_rows(sch, len);
	int64_t    *rowbuf = fuzz_cells((size_t) cap * sch->ncols);
	abm_state  *s = fuzz_state_new(sch);
	abm_error	err;
	abm_status	st;

	memset(&err, 0, sizeof(err));
	st = abm_state_from_binary(sch, in, len, s, rowbuf, cap, &err);
	if (st != ABM_OK)
		fuzz_check_error(st, &err);
	else
	{
		uint8_t    *again;

		FUZZ_CHECK(s->schema == sch);
		FUZZ_CHECK(s->nrows <= cap);
		FUZZ_CHECK(s->nrows == 0 ? s->rows == NULL : s->rows == rowbuf);
		/* the binary form is canonical: the input is the only encoding */
		FUZZ_CHECK(abm_state_binary_size(s) == len);
		again = malloc(len);
		FUZZ_CHECK(again != NULL);
		abm_state_to_binary(s, again);
		FUZZ_CHECK(memcmp(again, in, len) == 0);
		free(again);
		fuzz_check_valid_state(s, 0);
	}
	free(s);
	free(rowbuf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int			k;

	for (k = 0; k < FUZZ_NSCHEMAS; k++)
		fuzz_one_binary(fuzz_schemas[k], data, size);

	/* a serialized partial: kind, 8 bytes of parameter, then the state */
	if (size >= 9)
	{
		const abm_state_schema *sch = abm_state_schema_by_kind(data[0]);

		if (sch != NULL)
		{
			/* a copy of exactly the payload, so an over-read is caught */
			uint8_t    *payload = malloc(size - 9 > 0 ? size - 9 : 1);

			FUZZ_CHECK(payload != NULL);
			FUZZ_CHECK(sch->kind == data[0]);
			memcpy(payload, data + 9, size - 9);
			fuzz_one_binary(sch, payload, size - 9);
			free(payload);
		}
		else
			FUZZ_CHECK(data[0] != abm_nps_schema.kind && data[0] != abm_csat_schema.kind);
	}
	return 0;
}
