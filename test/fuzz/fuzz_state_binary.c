/*
 * fuzz_state_binary.c — libFuzzer harness of the byte forms of states:
 * abm_state_from_binary (send/receive, versions 1 and 2) and
 * abm_state_from_payload (the stored datum: native, or abm 1.1's version 1).
 *
 * Each input is decoded both ways as every schema (nps_state, csat_state,
 * the churn and survival states, revenue_state with its amounts,
 * mrr_schedule and cohort_state with amounts in their rows, funnel_state,
 * stage_path, time_in_stage_state, proportion_state, engagement_state
 * with amounts in its rows, and a test-only state with rows), into
 * exactly the cells the API's bound
 * promises.  Accepted input must give a valid state whose current form is
 * the input itself (a version 1 input: the same state again), whose text
 * form round-trips, and that merges with itself (counts and amounts
 * double) or reports ABM_ERR_RANGE (ABM_ERR_LIMIT for amounts past 4096
 * bits).  See fuzz_state_common.h.
 */
#include "fuzz_state_common.h"

typedef abm_status (*decode_fn) (const abm_state_schema *, const uint8_t *, size_t,
								abm_state *, int64_t *, size_t, abm_error *);

static void
fuzz_one(const abm_state_schema *sch, const uint8_t *in, size_t len, int native)
{
	size_t		cap = native ? abm_state_payload_max_cells(sch, len) : abm_state_binary_max_cells(sch, len);
	int64_t    *rowbuf = fuzz_cells(cap);
	abm_state  *s = fuzz_state_new(sch);
	abm_error	err;
	abm_status	st;
	decode_fn	decode = native ? abm_state_from_payload : abm_state_from_binary;

	memset(&err, 0, sizeof(err));
	st = decode(sch, in, len, s, rowbuf, cap, &err);
	if (st != ABM_OK)
		fuzz_check_error(sch, st, &err);
	else
	{
		uint8_t    *again;
		size_t		again_len = native ? abm_state_native_size(s) : abm_state_binary_size(s);

		FUZZ_CHECK(s->schema == sch);
		FUZZ_CHECK(fuzz_row_cells(s) <= cap);
		FUZZ_CHECK(s->nrows == 0 ? s->rows == NULL : s->rows == rowbuf);
		again = malloc(again_len);
		FUZZ_CHECK(again != NULL);
		if (native && in[0] == ABM_STATE_VERSION)
			abm_state_to_native(s, again);
		else
			abm_state_to_binary(s, again);
		if (in[0] == ABM_STATE_VERSION)
		{
			/* each form is canonical: the input is the only encoding */
			FUZZ_CHECK(again_len == len);
			FUZZ_CHECK(memcmp(again, in, len) == 0);
		}
		else
		{
			/* version 1 reads as the state its version 2 form holds */
			abm_state  *s2 = fuzz_state_new(sch);
			size_t		cap2 = abm_state_binary_max_cells(sch, abm_state_binary_size(s));
			int64_t    *rows2 = fuzz_cells(cap2);

			FUZZ_CHECK(in[0] == 1 && !s->has_param);
			FUZZ_CHECK(abm_state_from_binary(sch, again, abm_state_binary_size(s), s2, rows2, cap2, &err) == ABM_OK);
			FUZZ_CHECK(fuzz_state_equal(s, s2));
			free(rows2);
			free(s2);
		}
		free(again);
		fuzz_check_valid_state(s, 0);

		/* rollup's fast path: the state merged into itself, as merge does */
		if (native && sch->ncols == 0)
		{
			int64_t		scalars[ABM_STATE_MAX_SCALARS];
			int64_t    *copy_rows;
			abm_state  *twice = fuzz_state_copy(s, &copy_rows);
			int			got;
			abm_status	want;

			memcpy(scalars, s->scalar, sizeof(int64_t) * (size_t) sch->nscalars);
			got = abm_state_merge_plain_native(sch, scalars, in, len, &err);
			want = abm_state_merge(twice, s, NULL, 0, &err);
			if (s->has_param || in[0] != ABM_STATE_VERSION || abm_schema_nmoney(sch) > 0)
				FUZZ_CHECK(got == 0);	/* amounts are never merged in place */
			else if (want == ABM_OK)
				FUZZ_CHECK(got == 1 && memcmp(scalars, twice->scalar, sizeof(int64_t) * (size_t) sch->nscalars) == 0);
			else
				FUZZ_CHECK(got == -1 && memcmp(scalars, s->scalar, sizeof(int64_t) * (size_t) sch->nscalars) == 0);
			free(copy_rows);
			free(twice);
		}
	}
	free(s);
	free(rowbuf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int			k;

	for (k = 0; k < FUZZ_NSCHEMAS; k++)
	{
		fuzz_one(fuzz_schemas[k], data, size, 0);
		fuzz_one(fuzz_schemas[k], data, size, 1);
	}
	return 0;
}
