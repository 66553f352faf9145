/*
 * label_enum.c — parsing and printing of abm's small ordered enumerations.
 * See label_enum.h.
 */
#include "label_enum.h"

#include <string.h>

static int
ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int
is_ascii_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* U+3000 IDEOGRAPHIC SPACE in UTF-8, common in text copied from CJK sources. */
static const char ideographic_space[] = "\xe3\x80\x80";

static void
trim(const char **text, size_t *len)
{
	const char *s = *text;
	size_t		n = *len;

	for (;;)
	{
		if (n > 0 && is_ascii_blank((unsigned char) s[0]))
		{
			s++;
			n--;
		}
		else if (n >= 3 && memcmp(s, ideographic_space, 3) == 0)
		{
			s += 3;
			n -= 3;
		}
		else
			break;
	}
	for (;;)
	{
		if (n > 0 && is_ascii_blank((unsigned char) s[n - 1]))
			n--;
		else if (n >= 3 && memcmp(s + n - 3, ideographic_space, 3) == 0)
			n -= 3;
		else
			break;
	}
	*text = s;
	*len = n;
}

/* Does the normalized input equal a label spelling? */
static int
matches(const char *norm, size_t len, const char *spelling)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		if (spelling[i] == '\0' || (unsigned char) spelling[i] != (unsigned char) norm[i])
			return 0;
	}
	return spelling[len] == '\0';
}

int
abm_enum_parse(const abm_label_enum *e, const char *text, size_t len)
{
	char		norm[ABM_ENUM_MAX_INPUT];
	size_t		i;
	int			l;

	trim(&text, &len);
	if (len == 0 || len > ABM_ENUM_MAX_INPUT)
		return -1;
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) text[i];

		if (c == '\0')
			return -1;
		if (c == '-' || c == ' ')
			c = '_';
		norm[i] = (char) ascii_lower(c);
	}

	for (l = 0; l < e->nlabels; l++)
	{
		const abm_label *lab = &e->labels[l];
		const char *const *a;

		if (matches(norm, len, lab->name))
			return lab->code;
		for (a = lab->aliases; a != NULL && *a != NULL; a++)
			if (matches(norm, len, *a))
				return lab->code;
	}
	return -1;
}

const abm_label *
abm_enum_lookup(const abm_label_enum *e, int code)
{
	int			i = abm_enum_index(e, code);

	return i < 0 ? NULL : &e->labels[i];
}

int
abm_enum_index(const abm_label_enum *e, int code)
{
	int			i;

	for (i = 0; i < e->nlabels; i++)
		if (e->labels[i].code == code)
			return i;
	return -1;
}

size_t
abm_enum_list(const abm_label_enum *e, char *buf, size_t bufsize)
{
	size_t		need = 0;
	int			i;

	if (bufsize > 0)
		buf[0] = '\0';
	for (i = 0; i < e->nlabels; i++)
	{
		const char *sep = (i == 0) ? "" : ", ";
		const char *parts[2] = {sep, e->labels[i].name};
		int			p;

		for (p = 0; p < 2; p++)
		{
			size_t		n = strlen(parts[p]);

			if (need + n < bufsize)
			{
				memcpy(buf + need, parts[p], n);
				buf[need + n] = '\0';
			}
			else if (need < bufsize)
				buf[need] = '\0';
			need += n;
		}
	}
	return need;
}

int
abm_enum_check_table(const abm_label_enum *e)
{
	int			i,
				j;

	if (e->nlabels < 1 || e->nlabels > 255)
		return -1;
	for (i = 0; i < e->nlabels; i++)
	{
		const abm_label *a = &e->labels[i];

		if (a->code == 0 || (i > 0 && a->code <= e->labels[i - 1].code))
			return -1;
		if (strlen(a->name) > ABM_ENUM_MAX_INPUT)
			return -1;
		/* every spelling of every label must parse back to its own label */
		if (abm_enum_parse(e, a->name, strlen(a->name)) != a->code)
			return -1;
		for (j = 0; a->aliases != NULL && a->aliases[j] != NULL; j++)
			if (abm_enum_parse(e, a->aliases[j], strlen(a->aliases[j])) != a->code)
				return -1;
	}
	return 0;
}
