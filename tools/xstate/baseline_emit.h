/* SPDX-License-Identifier: MIT */
/*
 * xstate baseline --emit: a pool's levelled CPU in the settings of the VMM
 * (or recorder) that shows it: QEMU's -cpu value, libvirt's <cpu>
 * element, a Firecracker custom CPU template, rr record's CPUID masks.
 */
#ifndef XS_BASELINE_EMIT_H
#define XS_BASELINE_EMIT_H

#include "cli.h"

enum emit_vmm { EMIT_NONE, EMIT_QEMU, EMIT_LIBVIRT, EMIT_FIRECRACKER, EMIT_RR };

/* QEMU's and libvirt's model for "any host KVM runs on" (docs/vmm.md). */
#define EMIT_DEFAULT_MODEL "kvm64"

/* A pool, its baseline and its levelled CPU. */
struct emit_pool {
	const xs_system *const *hosts;
	char **names;			/* the hosts as given on the command line */
	unsigned n;
	const xs_baseline *bl;
	const xs_cpu *cpu;		/* xs_baseline_cpu() */
	const char *model;		/* --model, or EMIT_DEFAULT_MODEL */
};

extern const char *const emit_reg_names[4];	/* "EAX" .. "EDX" */

/* What a VMM must do with one bit of xs_level_bits(). */
enum emit_pin { PIN_LEAVE, PIN_ON, PIN_OFF };

/*
 * The bit's setting: state gates, XSAVE and the 0xD.1 bits on or off as
 * the levelled CPU has them; a dependent bit off where what it needs is
 * off, else left to the model; bits the guest OS sets (OSXSAVE, OSPKE)
 * left alone.
 */
enum emit_pin emit_pin_of(const xs_cpu *cpu, const struct xs_level_bit *b);
/* The same, for QEMU 7.2 and libvirt 9.0: PIN_LEAVE for bits they cannot name. */
enum emit_pin emit_pin_named(const xs_cpu *cpu, const struct xs_level_bit *b);
/* The bit's value in a CPU model (0 where the model lacks the leaf). */
bool emit_bit_set(const xs_cpu *cpu, const struct xs_level_bit *b);
/* On stderr: what QEMU 7.2 / libvirt 9.0 cannot show of the baseline. */
void emit_named_notes(const struct emit_pool *p, const char *vmm);

int emit_qemu(const struct emit_pool *p);
int emit_libvirt(const struct emit_pool *p);
int emit_firecracker(const struct emit_pool *p);
/* Exit 1 (after the options) when hosts' XCR0 differ: rr cannot mask XCR0. */
int emit_rr(const struct emit_pool *p);

#endif
