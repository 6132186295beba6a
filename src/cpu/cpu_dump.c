// SPDX-License-Identifier: MIT
/*
 * Write a CPU model back out in any of the three dump formats, so a dump of
 * one kind can be turned into another and the live CPU can be captured.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cpu/cpu.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;
	size_t room = o->len < o->size ? o->size - o->len : 0;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

size_t xs_cpu_dump(const xs_cpu *cpu, enum xs_dump_format fmt, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	if (fmt == XS_DUMP_CPUID_R)
		put(&o, "CPU 0:\n");
	else if (fmt == XS_DUMP_PLAIN)
		put(&o, "# %s %s family %#x model %#x stepping %u\n# leaf subleaf eax ebx ecx edx\n",
		    cpu->vendor, cpu->brand[0] ? cpu->brand : "(no brand string)", cpu->family,
		    cpu->model, cpu->stepping);
	else
		put(&o, "%s %s\n", cpu->vendor, cpu->brand);
	for (unsigned i = 0; i < cpu->nleaves; i++) {
		const struct xs_cpuid_leaf *l = &cpu->leaves[i];

		switch (fmt) {
		case XS_DUMP_CPUID_R:
			put(&o, "   0x%08x 0x%02x: eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n",
			    l->leaf, l->subleaf, l->eax, l->ebx, l->ecx, l->edx);
			break;
		case XS_DUMP_INSTLAT:
			put(&o, "CPUID %08X: %08X-%08X-%08X-%08X [SL %02X]\n", l->leaf, l->eax, l->ebx,
			    l->ecx, l->edx, l->subleaf);
			break;
		default:
			put(&o, "%08x %x %08x %08x %08x %08x\n", l->leaf, l->subleaf, l->eax, l->ebx,
			    l->ecx, l->edx);
			break;
		}
	}
	return o.len;
}
