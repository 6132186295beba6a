// SPDX-License-Identifier: MIT
/* What every VMM emitter shares: the setting of each bit that levels xsave state. */
#include <string.h>

#include "baseline_emit.h"

const char *const emit_reg_names[4] = { "EAX", "EBX", "ECX", "EDX" };

bool emit_bit_set(const xs_cpu *cpu, const struct xs_level_bit *b)
{
	uint32_t r[4];

	xs_cpuid(cpu, b->leaf, b->subleaf, r);
	return (r[b->reg] >> b->bit) & 1;
}

/* XSAVE itself, a bit that gates state, or one of 0xD.1 EAX's instructions. */
static bool decides_state(const struct xs_level_bit *b)
{
	return b->needs < 0 || b->gates || b->leaf == 0xd;
}

enum emit_pin emit_pin_of(const xs_cpu *cpu, const struct xs_level_bit *b)
{
	unsigned n;
	const struct xs_level_bit *bits = xs_level_bits(&n);

	if (b->os_bit)
		return PIN_LEAVE;	/* CR4.OSXSAVE / CR4.PKE: the guest's own doing */
	if (decides_state(b))
		return emit_bit_set(cpu, b) ? PIN_ON : PIN_OFF;
	/* a dependent: the model decides, unless what it needs is off */
	return emit_bit_set(cpu, &bits[b->needs]) ? PIN_LEAVE : PIN_OFF;
}

enum emit_pin emit_pin_named(const xs_cpu *cpu, const struct xs_level_bit *b)
{
	if (!b->vmm_name || b->newer_vmm)
		return PIN_LEAVE;
	return emit_pin_of(cpu, b);
}

/* Append ",item" (or "item") to a list in buf. */
static void append(char *buf, size_t size, const char *item)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? "," : "", item);
}

void emit_named_notes(const struct emit_pool *p, const char *vmm)
{
	unsigned n;
	const struct xs_level_bit *bits = xs_level_bits(&n);
	char comps[160], names[160] = "", features[160] = "", bit[48];
	uint64_t hidden = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct xs_level_bit *b = &bits[i];

		if (!b->gates || (b->vmm_name && !b->newer_vmm) || !emit_bit_set(p->cpu, b))
			continue;
		hidden |= b->gates;
		snprintf(bit, sizeof(bit), "CPUID %#x.%u %s[%u]", b->leaf, b->subleaf, emit_reg_names[b->reg],
			 b->bit);
		append(names, sizeof(names), b->vmm_name ? b->vmm_name : bit);
		append(features, sizeof(features), xs_cpu_feature_name((enum xs_cpu_feature)b->feature));
	}
	if (!hidden)
		return;
	/* CET's supervisor half comes and goes with the user half */
	if (hidden & XS_XFEATURE_MASK_CET_USER)
		hidden |= xs_baseline_info(p->bl)->xss & XS_XFEATURE_MASK_CET_KERNEL;
	cli_warn("baseline --emit %s: the pool offers guests %s, but QEMU 7.2 and libvirt 9.0 cannot enable it (%s); "
		 "guests see the same state on every host, without it: add --disable %s to see their CPU",
		 vmm, xfeature_list(hidden, comps, sizeof(comps)), names, features);
}
