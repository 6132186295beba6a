// SPDX-License-Identifier: MIT
/*
 * xstate baseline --emit qemu: the -cpu value, MODEL,+flag,-flag,... on
 * one line. Every bit that decides the xsave state is named, on or off,
 * so the model's own xsave features do not matter; a dependent goes off
 * with what it needs. QEMU derives leaf 0xD from those bits
 * (x86_cpu_enable_xsave_components: a component is on when the feature
 * that gates it is) and, under KVM, takes sizes and offsets from the host,
 * which the baseline made the same on every host.
 */
#include "baseline_emit.h"

int emit_qemu(const struct emit_pool *p)
{
	unsigned n;
	const struct xs_level_bit *bits = xs_level_bits(&n);

	fputs(p->model, stdout);
	for (unsigned i = 0; i < n; i++) {
		enum emit_pin pin = emit_pin_named(p->cpu, &bits[i]);

		if (pin != PIN_LEAVE)
			printf(",%c%s", pin == PIN_ON ? '+' : '-', bits[i].vmm_name);
	}
	putchar('\n');
	emit_named_notes(p, "qemu");
	return XS_EXIT_OK;
}
