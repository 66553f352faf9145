/*
 * state.h — abm's one way to declare a mergeable ("two-step") state.
 *
 * A state kind is declared by a schema: its scalar fields, each with a merge
 * rule, and optionally a list of rows keyed by their first column, whose
 * other columns are counts.  A state may also carry the one parameter of the
 * aggregate that made it (nps_margin's confidence), so that a partial state
 * shipped between nodes keeps it.  Everything else is written once, here,
 * for all kinds: validation, merging, and the three forms below.
 *
 *   nps_state      scalars detractors, passives, promoters (sum); no rows;
 *                  parameter "confidence"
 *   a survival     rows (time, events, censored): distinct times, counts
 *   state             summed on merge
 *
 * Format version 2 (abm 1.2) is written; version 1 (abm 1.1) is read.
 *
 * Binary form (send/receive, COPY BINARY), big-endian:
 *   uint8  format version (2)
 *   uint8  flags: bit 0 = the state carries its parameter
 *   float8 the parameter (IEEE bits), only with flag bit 0
 *   int64  each count field, in schema order
 *   uint64 with money fields: the money word (below)
 *   int64  with money fields: each one's words, least significant first
 *   uint32 number of rows, then each row's columns as int64 (only when the
 *          schema has rows)
 * Version 1 had no flags byte and no parameter (and no schema with money).
 *
 * Money fields (revenue_state) are exact decimal amounts (money.h): integers
 * of units of 10^-scale, in two's complement over `words` 64-bit words.  All
 * money fields of a state share the scale, the largest of the inputs' (so
 * sums are exact, as sum(numeric) is), and the width, the fewest words (at
 * least 2: a 128-bit fixed point) that hold every one of them; the money
 * word holds the scale in bits 0-15 and the width in bits 16-31, the rest
 * 0.  A form of another width is rejected, so one value has one form.
 *
 * Rows with money columns (mrr_schedule): the money word follows the
 * counts as for money fields, and each row is its key, its counts, then
 * each amount's words; all amounts of the state, in every row, share the
 * scale and the width.
 *
 * Native form (the datum, in memory and on disk): the same fields in the
 * machine's byte order, laid out so that a transition function updates the
 * counters of a datum in place without decoding it:
 *   uint32 length word (PostgreSQL's varlena header; not written here)
 *   uint8  format version (2), uint8 kind, uint8 flags, uint8 reserved (0)
 *   int64  each count field              at byte 8: 8-byte aligned
 *   uint64 the money word, then the money fields' words (as in binary)
 *   float8 the parameter, with flag bit 0
 *   uint32 number of rows, uint32 reserved (0), then the rows' int64 cells
 *          (only when the schema has rows)
 * A version 1 datum (stored by abm 1.1) is the version 1 binary form; the
 * first byte after the length word tells the two apart.
 *
 * Text form:
 *   v<version> name=value ... [param=value] [rows=[k:c:c,k:c:c]]
 * e.g. "v2 detractors=3 passives=5 promoters=12" or, from
 * nps_margin(score, 0.9), "v2 detractors=3 passives=5 promoters=12
 * confidence=0.9".  Money fields print as exact decimals with the state's
 * scale ("starting=1250.50"); input takes each at its own scale and keeps
 * the largest.  Field names and order are fixed; input is strict and
 * rejects anything else.  The parameter is printed with 17 significant
 * digits, so it reads back to the same double.
 *
 * Plain C: no PostgreSQL headers.
 */
#ifndef ABM_STATE_H
#define ABM_STATE_H

#include <stddef.h>
#include <stdint.h>

#define ABM_STATE_MAX_SCALARS 16
#define ABM_STATE_MAX_COLS 8
/* Money fields a schema may have, and the widest amount a state holds (4096 bits). */
#define ABM_STATE_MAX_MONEY 8
#define ABM_MONEY_MAX_WORDS 64
/* Cells of a decoded state's scalars: counts, then each money field's words. */
#define ABM_STATE_MAX_CELLS (ABM_STATE_MAX_SCALARS + ABM_STATE_MAX_MONEY * ABM_MONEY_MAX_WORDS)

typedef enum abm_merge_rule
{
	ABM_MERGE_SUM,				/* counters: added, overflow is an error */
	ABM_MERGE_MIN,
	ABM_MERGE_MAX,
	ABM_MERGE_SAME				/* a setting every merged state shares (a
								 * period): ABM_UNSET until set; two
								 * different values do not merge */
} abm_merge_rule;

/* The value of an ABM_MERGE_SAME field not set yet. */
#define ABM_UNSET INT64_MIN

typedef enum abm_field_kind
{
	ABM_FIELD_COUNT = 0,		/* an int64 */
	ABM_FIELD_MONEY				/* an exact decimal amount (money.h); SUM only */
} abm_field_kind;

typedef struct abm_state_field
{
	const char *name;
	abm_merge_rule merge;
	int			nonnegative;	/* reject values < 0 on input */
	abm_field_kind kind;		/* money fields come after every count field */
} abm_state_field;

typedef enum abm_status
{
	ABM_OK = 0,
	ABM_ERR_SYNTAX,				/* malformed text or bytes */
	ABM_ERR_VERSION,			/* a format version this build cannot read */
	ABM_ERR_RANGE,				/* a negative count, or a sum past INT64_MAX */
	ABM_ERR_MISMATCH,			/* merging states that cannot be merged */
	ABM_ERR_LIMIT				/* a state larger than a value may be (1 GB) */
} abm_status;

typedef struct abm_error
{
	abm_status	status;
	char		detail[192];
} abm_error;

struct abm_state;
struct abm_money;

/*
 * Set err (if not NULL) to status and a printf-style detail, and return the
 * status: how the mechanism and every schema's check report a problem.
 */
abm_status	abm_fail(abm_error *err, abm_status status, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

typedef struct abm_state_schema
{
	const char *type_name;		/* SQL type name, for messages */
	uint8_t		kind;			/* unique per schema; stored in the native form */
	int			nscalars;
	const abm_state_field *scalars;
	int			ncols;			/* 0: no rows; else column 0 is the key */
	const char *const *col_names;
	/*
	 * The last nmoneycols columns are amounts (money.h), each as many cells
	 * as the state's money width, at its money scale; the others before
	 * them are counts.  Amounts in rows may be negative (the schema's check
	 * rules them), and a row whose cells are all zero is not kept.  A schema
	 * has money fields or money columns, not both.
	 */
	int			nmoneycols;
	/*
	 * The key is an int64, or with key_is_float a finite double held in the
	 * int64 cell by abm_float_key() (so that keys sort as their doubles);
	 * the text form prints and reads it as a decimal number.
	 */
	int			key_is_float;
	/* Optional rule across fields beyond the per-field ones; NULL if none. */
	abm_status	(*check) (const struct abm_state *s, abm_error *err);
	/* Name of the parameter a state may carry; NULL: it carries none. */
	const char *param_name;
} abm_state_schema;

/* The format version every schema writes, and the oldest one read. */
#define ABM_STATE_VERSION 2
#define ABM_STATE_MIN_VERSION 1

/* Largest number of bytes a state's forms may take: a PostgreSQL value's limit. */
#define ABM_STATE_MAX_BYTES ((size_t) 0x3fffffff - 64)

/* Flag bits of the binary and native forms. */
#define ABM_STATE_FLAG_PARAM 0x01

/* Byte offset of the first scalar in a native datum, counting the length word. */
#define ABM_NATIVE_SCALARS 8

typedef struct abm_state
{
	const abm_state_schema *schema;
	int64_t    *rows;			/* nrows x ncols, row-major; caller-owned */
	uint32_t	nrows;
	int			has_param;		/* param is set (validated by the schema's check) */
	double		param;
	/* With money fields: their common scale and width in words (else 0, 0). */
	int			money_scale;
	int			money_words;
	/*
	 * Last, so that a state that lives long (one per group of a hashed
	 * aggregate) can be allocated with only the schema's scalars:
	 * ABM_STATE_SIZE(schema->nscalars) bytes (for a schema without money).
	 * Count fields are scalar[field]; money field j (counting money fields
	 * from 0) is the money_words cells from scalar[ncounts + j * words].
	 */
	int64_t		scalar[ABM_STATE_MAX_CELLS];
} abm_state;

#define ABM_STATE_SIZE(nscalars) (offsetof(abm_state, scalar) + sizeof(int64_t) * (size_t) (nscalars))

/*
 * Bytes a state of this schema needs: ABM_STATE_SIZE(nscalars) without
 * money fields, the whole struct with them (amounts may widen).
 */
size_t		abm_state_size(const abm_state_schema *schema);

/* Cells of s->scalar in use: the counts and each amount's words. */
size_t		abm_state_ncells(const abm_state *s);

/*
 * An empty state: every SUM field 0, MIN fields INT64_MAX, MAX INT64_MIN,
 * SAME fields ABM_UNSET; no parameter.
 */
void		abm_state_init(abm_state *s, const abm_state_schema *schema);

/* Field and row rules of the schema; also the schema's own check. */
abm_status	abm_state_validate(const abm_state *s, abm_error *err);

/*
 * Merge `from` into `into`.  When `from` has rows, the rows are combined
 * into `rowbuf` (capacity `cellcap` int64 cells, at least
 * abm_state_merge_cells(into, from); it may not alias either input) and
 * into->rows is pointed at it; otherwise rowbuf is not used.  A parameter on either side passes to the result; two
 * different parameters are ABM_ERR_MISMATCH.  On error `into` may be partly
 * merged and must be discarded.
 */
abm_status	abm_state_merge(abm_state *into, const abm_state *from,
							int64_t *rowbuf, size_t cellcap, abm_error *err);

/* Cells of rowbuf that abm_state_merge(into, from) needs (0 without rows). */
size_t		abm_state_merge_cells(const abm_state *into, const abm_state *from);

/* Cells a row of s takes: its key, counts and amounts. */
size_t		abm_state_row_cells(const abm_state *s);

/* The amount in money column `col` of row r. */
void		abm_state_row_money(const abm_state *s, uint32_t r, int col, struct abm_money *out);

/*
 * Make the rows of s (a schema with money columns) from keys (increasing),
 * counts (nrows x the count columns) and amounts (nrows x nmoneycols): at
 * the largest scale of the amounts and the fewest words that hold them,
 * into buf (cellcap cells; nrows x ncols x ABM_MONEY_MAX_WORDS is always
 * enough); rows whose cells are all zero are left out.  Then validates.
 */
abm_status	abm_state_pack_rows(abm_state *s, const int64_t *keys, const int64_t *counts,
								const struct abm_money *amounts, uint32_t nrows,
								int64_t *buf, size_t cellcap, abm_error *err);

/*
 * Take `from` back out of `into`, the inverse of merging it (a sliding
 * window over stored states).  Only SUM scalars can be taken out: for a
 * schema with MIN or MAX fields, or for states with rows (a row set takes
 * rows out: abm_rowset_add_state), it returns ABM_ERR_MISMATCH and changes
 * nothing, and the caller recomputes instead.  A count that would
 * go negative is ABM_ERR_RANGE.  The parameter of `into` stays; a different
 * one on `from` is ABM_ERR_MISMATCH.
 */
abm_status	abm_state_subtract(abm_state *into, const abm_state *from, abm_error *err);

/* Add `delta` to a SUM scalar, checking the result stays in [0, INT64_MAX]. */
abm_status	abm_state_add(abm_state *s, int field, int64_t delta, abm_error *err);

/* Count fields of a schema (its first fields), and money fields (the rest). */
int			abm_schema_ncounts(const abm_state_schema *schema);
int			abm_schema_nmoney(const abm_state_schema *schema);

/* The amount in money field `field` (a field index of the schema). */
void		abm_state_get_money(const abm_state *s, int field, struct abm_money *out);

/*
 * Add sign * v to money field `field` (sign 1 or -1).  The state's scale
 * rises to v's if v has more decimal places, and its width grows when a
 * sum needs it; a nonnegative field must stay >= 0 (ABM_ERR_RANGE).
 */
abm_status	abm_state_add_money(abm_state *s, int field, const struct abm_money *v, int sign,
								abm_error *err);

/*
 * Give the state's amounts at least this scale (a state keeps the largest
 * scale of every input, even one that adds nothing, as sum() does).
 */
abm_status	abm_state_money_scale_at_least(abm_state *s, int scale, abm_error *err);

/* Binary form (always written in the current version). */
size_t		abm_state_binary_size(const abm_state *s);
void		abm_state_to_binary(const abm_state *s, uint8_t *out);

/* Upper bound of rows a binary input of `len` bytes can hold. */
uint32_t	abm_state_binary_max_rows(const abm_state_schema *schema, size_t len);

/* Upper bound of the row cells a binary input of `len` bytes can hold. */
size_t		abm_state_binary_max_cells(const abm_state_schema *schema, size_t len);

/*
 * Decode and validate a binary form of version 1 or 2.  Rows are written to
 * rowbuf (capacity cellcap int64 cells); with cellcap >=
 * abm_state_binary_max_cells(schema, len) it is always enough.
 */
abm_status	abm_state_from_binary(const abm_state_schema *schema,
								  const uint8_t *in, size_t len,
								  abm_state *out, int64_t *rowbuf,
								  size_t cellcap, abm_error *err);

/* Text form (current version).  Returns the length needed (excluding NUL); buf is NUL-terminated. */
size_t		abm_state_to_text(const abm_state *s, char *buf, size_t bufsize);

/* Upper bound of rows a text input of `len` bytes can hold. */
uint32_t	abm_state_text_max_rows(const abm_state_schema *schema, size_t len);

/*
 * Row cells abm_state_from_text needs for this text: the rows' bound times
 * the columns, or for money columns (whose width depends on every amount)
 * what a first reading of the amounts finds.  0 when the text has no rows
 * or cannot be read (abm_state_from_text then says why).
 */
size_t		abm_state_text_cells(const abm_state_schema *schema, const char *text, size_t len);

/* Decode and validate the text form; rows to rowbuf (cellcap cells). */
abm_status	abm_state_from_text(const abm_state_schema *schema,
								const char *text, size_t len,
								abm_state *out, int64_t *rowbuf,
								size_t cellcap, abm_error *err);

/*
 * Native form, as the payload after the 4-byte length word (which is the
 * caller's): abm_state_native_size(s) bytes, every one written, padding
 * included.
 */
size_t		abm_state_native_size(const abm_state *s);
void		abm_state_to_native(const abm_state *s, uint8_t *payload);

/* Payload bytes of the native form of a row-less state of this schema. */
size_t		abm_state_native_scalar_size(const abm_state_schema *schema, int has_param);

/* Upper bound of rows a stored payload (native or version 1) of `len` bytes holds. */
uint32_t	abm_state_payload_max_rows(const abm_state_schema *schema, size_t len);

/* Upper bound of the row cells a stored payload of `len` bytes holds. */
size_t		abm_state_payload_max_cells(const abm_state_schema *schema, size_t len);

/*
 * Decode and validate a stored payload (the bytes after the length word):
 * the native form, or a version 1 datum of abm 1.1.  Reads any alignment.
 */
abm_status	abm_state_from_payload(const abm_state_schema *schema,
								   const uint8_t *in, size_t len,
								   abm_state *out, int64_t *rowbuf,
								   size_t cellcap, abm_error *err);

/*
 * rollup()'s per-row step over stored states of a schema without rows: when
 * `in` (len bytes) is the native payload of a state of this schema without
 * a parameter, validate it and merge its scalars into `scalars` (those of a
 * valid state of the schema) and return 1; return 0 for any other payload,
 * which the caller decodes in full; -1 with *err set when the payload is
 * invalid or the merge overflows (`scalars` is then unchanged).
 */
int			abm_state_merge_plain_native(const abm_state_schema *schema, int64_t *scalars,
										 const uint8_t *in, size_t len, abm_error *err);

/*
 * Float keys: an order-preserving map of finite doubles to int64 (IEEE bits;
 * negative values with their magnitude bits flipped), and back.  -0 maps as
 * 0.  Keys sort as the doubles they hold.
 */
int64_t		abm_float_key(double d);
double		abm_float_of_key(int64_t key);

/*
 * A row set: the rows of a state being accumulated row by row (the per-row
 * path of an aggregate over a state with rows).  Adding to a row is O(1)
 * through a hash of the keys; rows are kept in arrival order and sorted
 * only when the state is read (abm_rowset_finish), so the per-row path never
 * sorts or copies the whole state.  Memory comes from the caller's
 * allocator, whose alloc returns NULL on failure (or does not return).
 * With money columns, the amounts of the rows share a scale and a width
 * that rise when an amount needs it (every row is rewritten then, which
 * happens a few times in a state's life); an add is a 128-bit addition in
 * place otherwise.
 */
typedef struct abm_allocator
{
	void	   *(*alloc) (void *ctx, size_t size);
	void		(*release) (void *ctx, void *p);
	void	   *ctx;
} abm_allocator;

typedef struct abm_rowset
{
	const abm_state_schema *schema;
	abm_allocator mem;
	int64_t    *cells;			/* cap rows of ncols cells */
	uint32_t	nrows;
	uint32_t	cap;
	uint32_t   *slots;			/* nslots: row index + 1, 0 = empty */
	uint32_t	nslots;			/* a power of two, at least 2 * cap */
	int			sorted;			/* rows in key order, none all zero */
	int			money_scale;	/* with money columns: the amounts' scale */
	int			money_words;	/* and width (cells of an amount) */
	uint32_t	stride;			/* cells of a row: the key, counts, amounts */
} abm_rowset;

void		abm_rowset_init(abm_rowset *rs, const abm_state_schema *schema, abm_allocator mem);
void		abm_rowset_free(abm_rowset *rs);

/*
 * Add deltas[0 .. ncols-2] to the counts of the row with this key, creating
 * it.  A count must stay in [0, INT64_MAX] (ABM_ERR_RANGE); past the size
 * of a value, ABM_ERR_LIMIT; out of memory, ABM_ERR_LIMIT.
 */
abm_status	abm_rowset_add(abm_rowset *rs, int64_t key, const int64_t *deltas, abm_error *err);

/*
 * For a schema with money columns: add count_deltas (the count columns) and
 * sign * amounts (one per money column) to the row with this key, creating
 * it.  Counts as abm_rowset_add; past the widest amount, ABM_ERR_LIMIT.
 */
abm_status	abm_rowset_add_money(abm_rowset *rs, int64_t key, const int64_t *count_deltas,
								 const struct abm_money *amounts, int sign, abm_error *err);

/*
 * Add delta to count column col (1 .. ncols - 1) of the row with this key,
 * creating it (its other counts 0): abm_rowset_add for one column, the
 * per-row path of an aggregate that counts each row in one column.
 */
abm_status	abm_rowset_count(abm_rowset *rs, int64_t key, int col, int64_t delta, abm_error *err);

/* Add, or with sign -1 subtract, every row of a state of the same schema. */
abm_status	abm_rowset_add_state(abm_rowset *rs, const abm_state *s, int sign, abm_error *err);

/*
 * Sort the rows by key and drop those whose counts are all zero; point
 * s->rows and s->nrows at them (valid until the next add), and with money
 * columns give the amounts their fewest words and set s's money scale and
 * width.  The rest of s is left alone.
 */
void		abm_rowset_finish(abm_rowset *rs, abm_state *s);

/* The schema with this kind tag, or NULL. */
const abm_state_schema *abm_state_schema_by_kind(int kind);

#endif							/* ABM_STATE_H */
