/*
 * label_enum.h — one small ordered enumeration, declared by a label table.
 *
 * Every abm vocabulary (lifecycle_stage, nps_class, and later mrr_movement
 * and health_band) is a table of labels; this file is the one piece of code
 * that parses, prints and lists them.  The stored value is one byte, the
 * label's code, and codes increase with the label order so that comparing
 * two stored bytes compares the labels.  Codes leave gaps so a later version
 * can insert a label between two others without rewriting stored data.
 *
 * Plain C: no PostgreSQL headers, so it is unit-tested and fuzzed alone.
 */
#ifndef ABM_LABEL_ENUM_H
#define ABM_LABEL_ENUM_H

#include <stddef.h>
#include <stdint.h>

typedef struct abm_label
{
	uint8_t		code;			/* stored byte; strictly increasing in a table */
	const char *name;			/* canonical label, the only output form */
	const char *group;			/* e.g. a lifecycle phase; NULL if unused */
	const char *const *aliases; /* other accepted spellings, NULL-terminated */
} abm_label;

typedef struct abm_label_enum
{
	const char *type_name;		/* SQL type name, for messages */
	int			nlabels;
	const abm_label *labels;
} abm_label_enum;

/* Longest input accepted by abm_enum_parse, in bytes, after trimming. */
#define ABM_ENUM_MAX_INPUT 64

/*
 * Parse a label or alias: ASCII letters compare case-insensitively, other
 * bytes (e.g. UTF-8 Chinese) exactly; leading and trailing blanks (ASCII
 * white space and U+3000 IDEOGRAPHIC SPACE) are ignored; '-' and ' ' inside
 * the word are read as '_' ("closed won" = "closed-won" = "closed_won").
 * Returns the code, or -1 if the text names no label.
 */
int			abm_enum_parse(const abm_label_enum *e, const char *text, size_t len);

/* The label with this stored code, or NULL if the code is not in the table. */
const abm_label *abm_enum_lookup(const abm_label_enum *e, int code);

/* Index (0-based position) of a code, or -1. */
int			abm_enum_index(const abm_label_enum *e, int code);

/*
 * Write the canonical labels as "a, b, c" into buf (always NUL-terminated).
 * Returns the length the full list needs, excluding the NUL.
 */
size_t		abm_enum_list(const abm_label_enum *e, char *buf, size_t bufsize);

/* Internal consistency of a table (codes increasing, names unique). 0 = ok. */
int			abm_enum_check_table(const abm_label_enum *e);

/* The vocabularies. */
extern const abm_label_enum abm_lifecycle_stage_enum;
extern const abm_label_enum abm_nps_class_enum;

#endif							/* ABM_LABEL_ENUM_H */
