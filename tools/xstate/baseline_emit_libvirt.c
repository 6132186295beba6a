// SPDX-License-Identifier: MIT
/*
 * xstate baseline --emit libvirt: the domain's <cpu> element. The same
 * bits as QEMU's value (libvirt passes the names to QEMU's -cpu): require
 * what the pool keeps, disable what it leaves out. check='full' makes
 * libvirt compare the CPU QEMU created with this one and refuse to start
 * a guest on a host that would show something else; fallback='forbid'
 * keeps the model.
 */
#include "baseline_emit.h"

int emit_libvirt(const struct emit_pool *p)
{
	unsigned n;
	const struct xs_level_bit *bits = xs_level_bits(&n);

	printf("<cpu mode='custom' match='exact' check='full'>\n");
	printf("  <model fallback='forbid'>%s</model>\n", p->model);
	for (unsigned i = 0; i < n; i++) {
		enum emit_pin pin = emit_pin_named(p->cpu, &bits[i]);

		if (pin != PIN_LEAVE)
			printf("  <feature policy='%s' name='%s'/>\n", pin == PIN_ON ? "require" : "disable",
			       bits[i].vmm_name);
	}
	printf("</cpu>\n");
	emit_named_notes(p, "libvirt");
	return XS_EXIT_OK;
}
