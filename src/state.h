/*
 * state.h — abm's one way to declare a mergeable ("two-step") state.
 *
 * A state kind is declared by a schema: its scalar fields, each with a merge
 * rule, and optionally a list of rows keyed by their first column, whose
 * other columns are counts.  Everything else is written once, here, for all
 * kinds: validation, merging, the text form and the binary form.
 *
 *   nps_state      scalars detractors, passives, promoters (sum); no rows
 *   a survival     rows (time, events, censored): distinct times, counts
 *   state             summed on merge
 *
 * Binary form (also the on-disk payload of a state datum), all integers
 * big-endian:
 *   uint8  format version
 *   int64  each scalar, in schema order
 *   uint32 number of rows, then each row's columns as int64 (only when the
 *          schema has rows)
 *
 * Text form:
 *   v<version> name=value ... [rows=[k:c:c,k:c:c]]
 * e.g. "v1 detractors=3 passives=5 promoters=12".  Field names and order are
 * fixed; input is strict and rejects anything else.
 *
 * Plain C: no PostgreSQL headers.
 */
#ifndef ABM_STATE_H
#define ABM_STATE_H

#include <stddef.h>
#include <stdint.h>

#define ABM_STATE_MAX_SCALARS 8
#define ABM_STATE_MAX_COLS 4

typedef enum abm_merge_rule
{
	ABM_MERGE_SUM,				/* counters: added, overflow is an error */
	ABM_MERGE_MIN,
	ABM_MERGE_MAX
} abm_merge_rule;

typedef struct abm_state_field
{
	const char *name;
	abm_merge_rule merge;
	int			nonnegative;	/* reject values < 0 on input */
} abm_state_field;

typedef enum abm_status
{
	ABM_OK = 0,
	ABM_ERR_SYNTAX,				/* malformed text or bytes */
	ABM_ERR_VERSION,			/* a format version this build cannot read */
	ABM_ERR_RANGE,				/* a negative count, or a sum past INT64_MAX */
	ABM_ERR_MISMATCH			/* merging states that cannot be merged */
} abm_status;

typedef struct abm_error
{
	abm_status	status;
	char		detail[192];
} abm_error;

struct abm_state;

typedef struct abm_state_schema
{
	const char *type_name;		/* SQL type name, for messages */
	uint8_t		kind;			/* unique per schema; tags serialized partials */
	uint8_t		version;		/* format version written; the only one read */
	int			nscalars;
	const abm_state_field *scalars;
	int			ncols;			/* 0: no rows; else column 0 is the key */
	const char *const *col_names;
	/* Optional rule across fields beyond the per-field ones; NULL if none. */
	abm_status	(*check) (const struct abm_state *s, abm_error *err);
} abm_state_schema;

typedef struct abm_state
{
	const abm_state_schema *schema;
	int64_t    *rows;			/* nrows x ncols, row-major; caller-owned */
	uint32_t	nrows;
	/*
	 * Last, so that a state that lives long (one per group of a hashed
	 * aggregate) can be allocated with only the schema's scalars:
	 * ABM_STATE_SIZE(schema->nscalars) bytes.
	 */
	int64_t		scalar[ABM_STATE_MAX_SCALARS];
} abm_state;

#define ABM_STATE_SIZE(nscalars) (offsetof(abm_state, scalar) + sizeof(int64_t) * (size_t) (nscalars))

/* An empty state: every SUM field 0, MIN fields INT64_MAX, MAX INT64_MIN. */
void		abm_state_init(abm_state *s, const abm_state_schema *schema);

/* Field and row rules of the schema; also the schema's own check. */
abm_status	abm_state_validate(const abm_state *s, abm_error *err);

/*
 * Merge `from` into `into`.  When `from` has rows, the rows are combined
 * into `rowbuf` (capacity `rowcap` rows, at least into->nrows + from->nrows;
 * it may not alias either input) and into->rows is pointed at it; otherwise
 * rowbuf is not used.  On error `into` may be partly
 * merged and must be discarded.
 */
abm_status	abm_state_merge(abm_state *into, const abm_state *from,
							int64_t *rowbuf, uint32_t rowcap, abm_error *err);

/*
 * Take `from` back out of `into`, the inverse of merging it (a sliding
 * window over stored states).  Only SUM scalars can be taken out: for a
 * schema with MIN or MAX fields or with rows it returns ABM_ERR_MISMATCH and
 * changes nothing, and the caller recomputes instead.  A count that would
 * go negative is ABM_ERR_RANGE.
 */
abm_status	abm_state_subtract(abm_state *into, const abm_state *from, abm_error *err);

/* Add `delta` to a SUM scalar, checking the result stays in [0, INT64_MAX]. */
abm_status	abm_state_add(abm_state *s, int field, int64_t delta, abm_error *err);

/* Binary form. */
size_t		abm_state_binary_size(const abm_state *s);
void		abm_state_to_binary(const abm_state *s, uint8_t *out);

/* Upper bound of rows a binary input of `len` bytes can hold. */
uint32_t	abm_state_binary_max_rows(const abm_state_schema *schema, size_t len);

/*
 * Decode and validate.  Rows are written to rowbuf (capacity rowcap); with
 * rowcap >= abm_state_binary_max_rows(schema, len) it is always enough.
 */
abm_status	abm_state_from_binary(const abm_state_schema *schema,
								  const uint8_t *in, size_t len,
								  abm_state *out, int64_t *rowbuf,
								  uint32_t rowcap, abm_error *err);

/* Text form.  Returns the length needed (excluding NUL); buf is NUL-terminated. */
size_t		abm_state_to_text(const abm_state *s, char *buf, size_t bufsize);

/* Upper bound of rows a text input of `len` bytes can hold. */
uint32_t	abm_state_text_max_rows(const abm_state_schema *schema, size_t len);

abm_status	abm_state_from_text(const abm_state_schema *schema,
								const char *text, size_t len,
								abm_state *out, int64_t *rowbuf,
								uint32_t rowcap, abm_error *err);

/* The schema with this kind tag, or NULL. */
const abm_state_schema *abm_state_schema_by_kind(int kind);

#endif							/* ABM_STATE_H */
