// SPDX-License-Identifier: MIT
/* The tool's error helper and its output helpers: hex numbers, JSON, file names in JSON. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void say(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", xs_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	return XS_EXIT_USAGE;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}

const char *cli_hex(uint64_t v, char buf[24])
{
	snprintf(buf, 24, "0x%llx", (unsigned long long)v);
	return buf;
}

json_t *json_hex(uint64_t v)
{
	char buf[24];

	return json_string(cli_hex(v, buf));
}

int cli_print_json_to(FILE *f, json_t *v)
{
	int ret = json_dumpf(v, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	fputc('\n', f);
	json_decref(v);
	return ret ? XS_EXIT_USAGE : XS_EXIT_OK;
}

int cli_print_json(json_t *v)
{
	return cli_print_json_to(stdout, v);
}

/* ---- file names in JSON ------------------------------------------------------ */

/* The length of the valid UTF-8 sequence at s (1..4), or 0 (RFC 3629). */
static size_t utf8_char(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
	uint32_t cp = n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;

	if (n <= 1)
		return n;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* no overlong forms, surrogates or code points beyond U+10FFFF */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void cli_json_set_path(json_t *obj, const char *key, const char *path)
{
	const unsigned char *p = (const unsigned char *)path;
	size_t len = strlen(path), k = 0, n;
	char *text = malloc(3 * len + 1), *hex = malloc(2 * len + 1), *bkey;
	bool valid = true;

	if (!text || !hex) {
		free(text);
		free(hex);
		json_object_set_new(obj, key, json_null());
		return;
	}
	/* readable: each byte that is not UTF-8 becomes U+FFFD */
	for (size_t i = 0; i < len; i += n ? n : 1) {
		n = utf8_char(p + i);
		if (n) {
			memcpy(text + k, p + i, n);
			k += n;
		} else {
			memcpy(text + k, "\xef\xbf\xbd", 3);
			k += 3;
			valid = false;
		}
	}
	text[k] = '\0';
	json_object_set_new(obj, key, json_string(text));
	/* lossless: the name's bytes in hex, only where the text could not hold them */
	if (!valid && (bkey = malloc(strlen(key) + 7))) {
		for (size_t i = 0; i < len; i++)
			snprintf(hex + 2 * i, 3, "%02x", p[i]);
		sprintf(bkey, "%s_bytes", key);
		json_object_set_new(obj, bkey, json_string(hex));
		free(bkey);
	}
	free(text);
	free(hex);
}
