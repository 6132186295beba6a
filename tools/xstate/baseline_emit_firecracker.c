// SPDX-License-Identifier: MIT
/*
 * xstate baseline --emit firecracker: a custom CPU template
 * (firecracker docs/cpu_templates/cpu-templates.md and schema.json):
 * cpuid_modifiers whose 32-character bitmaps set ('1'), clear ('0') or
 * keep ('x') each bit of KVM_GET_SUPPORTED_CPUID on the host. Leaves 1, 7
 * and 0x80000001 pin the bits that decide the xsave state; leaf 0xD gets
 * every register of the sub-leaves the pool keeps and zeros for the
 * components some host's CPU lists but the pool leaves out, as
 * Firecracker's own templates zero them; AMX's leaves go with AMX.
 * msr_modifiers keeps IA32_XSS's boot value clear outside the baseline.
 */
#include <string.h>

#include "baseline_emit.h"

#define MSR_IA32_XSS 0xda0u

/* KVM_CPUID_FLAG_SIGNIFCANT_INDEX for the leaves with sub-leaves */
static int kvm_flags(uint32_t leaf)
{
	return leaf == 7 || leaf == 0xd || leaf == 0x1d;
}

static json_t *hex_string(uint32_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%x", v);
	return json_string(buf);
}

static json_t *reg_modifier(unsigned reg, const char bitmap[35])
{
	static const char *const names[4] = { "eax", "ebx", "ecx", "edx" };
	json_t *m = json_object();

	json_object_set_new(m, "register", json_string(names[reg]));
	json_object_set_new(m, "bitmap", json_string(bitmap));
	return m;
}

static json_t *leaf_modifier(uint32_t leaf, uint32_t subleaf, json_t *modifiers)
{
	json_t *o = json_object();

	json_object_set_new(o, "leaf", hex_string(leaf));
	json_object_set_new(o, "subleaf", hex_string(subleaf));
	json_object_set_new(o, "flags", json_integer(kvm_flags(leaf)));
	json_object_set_new(o, "modifiers", modifiers);
	return o;
}

/* "0b" and 32 characters, bit 31 first: the register's exact value. */
static void exact_bitmap(uint32_t v, char out[35])
{
	out[0] = '0';
	out[1] = 'b';
	for (unsigned i = 0; i < 32; i++)
		out[2 + i] = (v >> (31 - i)) & 1 ? '1' : '0';
	out[34] = '\0';
}

/* A whole sub-leaf: every register exactly (zeros for a component left out). */
static json_t *exact_leaf(uint32_t leaf, uint32_t subleaf, const uint32_t r[4])
{
	json_t *mods = json_array();
	char bitmap[35];

	for (unsigned reg = 0; reg < 4; reg++) {
		exact_bitmap(r[reg], bitmap);
		json_array_append_new(mods, reg_modifier(reg, bitmap));
	}
	return leaf_modifier(leaf, subleaf, mods);
}

/* Leaves 1, 7.0, 7.1 and 0x80000001: only the pinned bits, the rest 'x'. */
static void pinned_leaf(const xs_cpu *cpu, uint32_t leaf, uint32_t subleaf, json_t *out)
{
	unsigned n;
	const struct xs_level_bit *bits = xs_level_bits(&n);
	char bitmap[4][35];
	bool any[4] = { false };
	json_t *mods;

	for (unsigned reg = 0; reg < 4; reg++) {
		memset(bitmap[reg], 'x', 34);
		bitmap[reg][0] = '0';
		bitmap[reg][1] = 'b';
		bitmap[reg][34] = '\0';
	}
	for (unsigned i = 0; i < n; i++) {
		const struct xs_level_bit *b = &bits[i];
		enum emit_pin pin;

		if (b->leaf != leaf || b->subleaf != subleaf)
			continue;
		pin = emit_pin_of(cpu, b);
		if (pin == PIN_LEAVE)
			continue;
		bitmap[b->reg][2 + 31 - b->bit] = pin == PIN_ON ? '1' : '0';
		any[b->reg] = true;
	}
	mods = json_array();
	for (unsigned reg = 0; reg < 4; reg++)
		if (any[reg])
			json_array_append_new(mods, reg_modifier(reg, bitmap[reg]));
	if (json_array_size(mods))
		json_array_append_new(out, leaf_modifier(leaf, subleaf, mods));
	else
		json_decref(mods);
}

static void xsave_leaves(const struct emit_pool *p, json_t *out)
{
	const struct xs_baseline_info *bl = xs_baseline_info(p->bl);
	static const uint32_t zero[4];
	uint32_t r[4];

	uint64_t listed = 0;

	/* what any host's CPU enumerates, whether or not its KVM passes it on */
	for (unsigned i = 0; i < p->n; i++)
		listed |= xs_cpu_xfeatures(xs_system_cpu(p->hosts[i]));
	/* without XSAVE the sub-leaves the hosts list go to zero with 0 and 1 */
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		if (nr < 2 || ((bl->xcr0 | bl->xss) & XS_BIT(nr))) {
			xs_cpuid(p->cpu, 0xd, nr, r);
			json_array_append_new(out, exact_leaf(0xd, nr, r));
		} else if (listed & XS_BIT(nr)) {
			json_array_append_new(out, exact_leaf(0xd, nr, zero));
		}
	}
	if ((bl->xcr0 & XS_XFEATURE_MASK_XTILE_DATA) || !(listed & XS_XFEATURE_MASK_XTILE_DATA))
		return;
	json_array_append_new(out, exact_leaf(0x1d, 0, zero));
	json_array_append_new(out, exact_leaf(0x1d, 1, zero));
	json_array_append_new(out, exact_leaf(0x1e, 0, zero));
}

/* IA32_XSS's boot value: clear outside the baseline's supervisor state. */
static json_t *msr_modifiers(const struct emit_pool *p)
{
	json_t *msrs = json_array(), *m;
	char bitmap[67], addr[24];
	uint32_t r[4];

	xs_cpuid(p->cpu, 0xd, 1, r);
	if (!(r[0] & 8))
		return msrs;	/* no XSAVES for guests: KVM refuses IA32_XSS to them */
	bitmap[0] = '0';
	bitmap[1] = 'b';
	for (unsigned i = 0; i < 64; i++)
		bitmap[2 + i] = xs_baseline_info(p->bl)->xss & XS_BIT(63 - i) ? 'x' : '0';
	bitmap[66] = '\0';
	snprintf(addr, sizeof(addr), "0x%x", MSR_IA32_XSS);
	m = json_object();
	json_object_set_new(m, "addr", json_string(addr));
	json_object_set_new(m, "bitmap", json_string(bitmap));
	json_array_append_new(msrs, m);
	return msrs;
}

int emit_firecracker(const struct emit_pool *p)
{
	json_t *t = json_object(), *cpuid = json_array();
	uint32_t r[4];

	pinned_leaf(p->cpu, 1, 0, cpuid);
	pinned_leaf(p->cpu, 7, 0, cpuid);
	xs_cpuid(p->cpu, 7, 0, r);
	if (r[0] >= 1)	/* no sub-leaf 1 for any host's guests otherwise */
		pinned_leaf(p->cpu, 7, 1, cpuid);
	xsave_leaves(p, cpuid);
	pinned_leaf(p->cpu, 0x80000001u, 0, cpuid);
	json_object_set_new(t, "cpuid_modifiers", cpuid);
	json_object_set_new(t, "msr_modifiers", msr_modifiers(p));
	return cli_print_json(t);
}
