// SPDX-License-Identifier: MIT
/*
 * printk for a modelled kernel: the lines fpu__init_system() prints go to
 * xs_system.log, those of the CPU identification code to
 * xs_system.cpu_log (dmesg has them elsewhere), and the model's own
 * remarks to xs_system.notes. The lowest file of the layer: everything
 * that prints calls down to it.
 */
#include "linux/linux.h"

void xs_printk(xs_system *sys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xs_log_vappend(sys->log, sizeof(sys->log), fmt, ap);
	va_end(ap);
}

void xs_cpu_printk(xs_system *sys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xs_log_vappend(sys->cpu_log, sizeof(sys->cpu_log), fmt, ap);
	va_end(ap);
}

void xs_note(xs_system *sys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xs_notes_vadd((char *)sys->notes, sizeof(sys->notes[0]), XS_SYSTEM_MAX_NOTES, &sys->nnotes, fmt, ap);
	va_end(ap);
}
