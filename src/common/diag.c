// SPDX-License-Identifier: MIT
/*
 * Messages: an error into struct xs_diag, a line appended to a log (the
 * kernel's printk buffer of a model, the CPU code's log), a note added to
 * one of the fixed arrays of notes the public structs carry.
 */
#include "common/common.h"

int xs_diag_fail(struct xs_diag *diag, int err, const char *fmt, ...)
{
	va_list ap;

	if (diag) {
		diag->line = 0;
		va_start(ap, fmt);
		vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

void xs_log_vappend(char *log, size_t size, const char *fmt, va_list ap)
{
	size_t len = strlen(log);

	if (len + 1 >= size)
		return;
	vsnprintf(log + len, size - len, fmt, ap);
}

void xs_notes_vadd(char *notes, size_t width, unsigned max, unsigned *n, const char *fmt, va_list ap)
{
	if (*n >= max)
		return;
	vsnprintf(notes + width * (*n)++, width, fmt, ap);
}
