// SPDX-License-Identifier: MIT
/* Masks of state components as names (xfeature_names.h). */
#include <stdbool.h>
#include <stdio.h>

#include "xstate.h"
#include "xfeature_names.h"

const char *xfeature_name(unsigned nr, char buf[16])
{
	if (nr < XS_XFEATURE_MAX)
		return xs_xfeature_info(nr)->short_name;
	snprintf(buf, 16, "bit%u", nr);
	return buf;
}

const char *xfeature_list(uint64_t mask, char *buf, size_t size)
{
	size_t n = 0;
	char b[16];

	buf[0] = '\0';
	for (unsigned i = 0; i < 64 && n < size; i++)
		if (mask & XS_BIT(i))
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", xfeature_name(i, b));
	if (!buf[0])
		snprintf(buf, size, "-");
	return buf;
}

/* The names, each alone or with its index. */
static json_t *names_json(uint64_t mask, bool indexed)
{
	json_t *a = json_array();
	char b[16];

	for (unsigned i = 0; i < 64; i++) {
		if (!(mask & XS_BIT(i)))
			continue;
		if (indexed)
			json_array_append_new(a, json_pack("{s:i, s:s}", "index", (int)i, "name", xfeature_name(i, b)));
		else
			json_array_append_new(a, json_string(xfeature_name(i, b)));
	}
	return a;
}

json_t *xfeature_names_json(uint64_t mask)
{
	return names_json(mask, false);
}

json_t *xfeature_index_json(uint64_t mask)
{
	return names_json(mask, true);
}
