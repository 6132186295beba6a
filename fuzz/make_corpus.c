// SPDX-License-Identifier: MIT
/*
 * Regenerate the seed corpora: `fuzz_make_corpus DIR` writes
 * DIR/fuzz_<target>/<name> for every target. Seeds are small real inputs
 * made with the library (CPUID dumps of the fixed models and of this
 * machine in the three formats, ptrace / signal-frame / KVM / compacted
 * buffers, a two-thread core, dumps followed by buffers) plus malformed
 * variants of each. Every seed starts with the selector byte its target
 * reads first.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_models.h"

static void write_seed(const char *root, const char *target, const char *name, uint8_t sel,
		       const void *buf, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/fuzz_%s", root, target);
	if (mkdir(path, 0755) && errno != EEXIST)
		abort();
	snprintf(path, sizeof(path), "%s/fuzz_%s/%s", root, target, name);
	f = fopen(path, "wb");
	if (!f || fputc(sel, f) == EOF || fwrite(buf, 1, len, f) != len || fclose(f))
		abort();
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* ---- fuzz_cpu_parse ------------------------------------------------------- */

static void dump_seed(const char *root, const xs_cpu *cpu, const char *name, enum xs_dump_format fmt,
		      uint8_t sel)
{
	size_t n = xs_cpu_dump(cpu, fmt, NULL, 0);
	char *text = malloc(n + 1);

	if (!text)
		abort();
	xs_cpu_dump(cpu, fmt, text, n + 1);
	write_seed(root, "cpu_parse", name, sel, text, n);
	free(text);
}

static void cpu_parse_seeds(const char *root)
{
	static const char *const bad[] = {
		"0 0 0000000d 68747541 444d4163 69746e65\n1 0 00a10f11 0 1c000000\n",
		"0 0 0000000d 68747541 444d4163 69746e65\n1 0 123456789 0 0 0\n",
		"CPU 0:\n   0x00000000 0x00: eax=0x0000000d ebx=0x68747541 edx=0x69746e65\n",
		"CPUID 00000000: 00000001-756E6547-6C65746E-49656E69\n",
		"0 0 0000000d 68747541 444d4163 69746e65\n",
	};
	static const char *const fmt_names[3] = { "plain", "cpuid-r", "instlat" };
	xs_cpu *cpu = xs_cpu_new();
	char name[64], *two;
	size_t n;

	if (!cpu)
		abort();
	for (unsigned m = 0; m < FZ_NMODELS; m++)
		for (unsigned f = 0; f < 3; f++) {
			fz_cpu(cpu, (enum fz_model)m);
			snprintf(name, sizeof(name), "model%u-%s", m, fmt_names[f]);
			dump_seed(root, cpu, name, (enum xs_dump_format)f, (uint8_t)(f << 2));
		}
	if (!xs_cpu_from_host(cpu)) {
		dump_seed(root, cpu, "live-cpuid-r", XS_DUMP_CPUID_R, 1u << 2);
		dump_seed(root, cpu, "live-instlat", XS_DUMP_INSTLAT, 2u << 2);
	}
	/* two CPUs in one cpuid -r dump; the seed selects the second */
	two = malloc(1 << 17);
	fz_cpu(cpu, FZ_ZEN4);
	n = xs_cpu_dump(cpu, XS_DUMP_CPUID_R, two, 1 << 16);
	fz_cpu(cpu, FZ_SPR);
	n += xs_cpu_dump(cpu, XS_DUMP_CPUID_R, two + n, 1 << 16);
	memcpy(strstr(two + 1, "CPU 0:"), "CPU 1:", 6);
	write_seed(root, "cpu_parse", "two-cpus", 1, two, n);
	free(two);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "bad%u", i);
		write_seed(root, "cpu_parse", name, 0, bad[i], strlen(bad[i]));
	}
	xs_cpu_free(cpu);
}

/* ---- buffers ------------------------------------------------------------------ */

/* A task of model m with some state in the components of `bv`. */
static size_t ptrace_image(enum fz_model m, uint64_t bv, uint8_t *buf)
{
	const xs_system *sys = fz_system(m);
	size_t size = xs_ptrace_xstate_size(sys);
	struct xs_component_info c;
	xs_fpu *fpu;

	if (xs_fpu_new(&fpu, sys, NULL) || xs_ptrace_getregset(fpu, buf, size, NULL))
		abort();
	xs_fpu_free(fpu);
	for (unsigned i = 32; i < 416; i++)
		buf[i] = (uint8_t)(i * 7);
	bv &= xs_system_info(sys)->user.default_features;
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if ((bv & XS_BIT(nr)) && !xs_system_component(sys, nr, &c))
			memset(buf + c.offset, 0x40 + nr, c.size);
	/* the upper half of the component is padding */
	if ((bv & XS_XFEATURE_MASK_PKRU) && !xs_system_component(sys, XS_XFEATURE_PKRU, &c))
		memset(buf + c.offset + 4, 0, 4);
	put64(buf + 512, bv);
	return size;
}

static void uabi_seeds(const char *root, uint8_t *buf)
{
	static const uint64_t xcr0s[][2] = { { 0, 0xe7 }, { 0, 0x5 }, { 0, 0x67 }, { 0x602e7, 0x60007 },
					     { 0, 0x18 } };
	char name[64];
	size_t n;

	for (unsigned m = 0; m < FZ_NMODELS; m++) {
		const xs_system *sys = fz_system((enum fz_model)m);
		xs_fpu *fpu;

		n = ptrace_image((enum fz_model)m, ~UINT64_C(0), buf);
		snprintf(name, sizeof(name), "ptrace-model%u", m);
		write_seed(root, "uabi", name, (uint8_t)m, buf, n);
		put64(buf + 520, 1);	/* XCOMP_BV must be 0 */
		snprintf(name, sizeof(name), "ptrace-xcomp-model%u", m);
		write_seed(root, "uabi", name, (uint8_t)m, buf, n);
		put64(buf + 520, 0);
		buf[26] = 0xff;		/* MXCSR reserved bits */
		snprintf(name, sizeof(name), "ptrace-mxcsr-model%u", m);
		write_seed(root, "uabi", name, (uint8_t)m, buf, n);
		if (xs_fpu_new(&fpu, sys, NULL) || xs_sigframe_save(fpu, buf, 1 << 16))
			abort();
		n = xs_sigframe_fpstate_size(fpu);
		xs_fpu_free(fpu);
		snprintf(name, sizeof(name), "sigframe-model%u", m);
		write_seed(root, "uabi", name, (uint8_t)(m | 1u << 2), buf, n);
		n = ptrace_image((enum fz_model)m, 0x7, buf);
		memset(buf + n, 0, 4096 > n ? 4096 - n : 0);
		snprintf(name, sizeof(name), "kvm-model%u", m);
		write_seed(root, "uabi", name, (uint8_t)(m | 2u << 2), buf, n > 4096 ? n : 4096);
	}
	n = ptrace_image(FZ_SPR, ~UINT64_C(0), buf);
	put64(buf + 512, UINT64_C(0x602e7));
	write_seed(root, "uabi", "ptrace-amx", 1 | 0x10, buf, n);
	for (unsigned i = 0; i < sizeof(xcr0s) / sizeof(xcr0s[0]); i++) {
		snprintf(name, sizeof(name), "xcr0-%u", i);
		write_seed(root, "uabi", name, (uint8_t)(i % FZ_NMODELS) | 3u << 2, xcr0s[i], 16);
	}
}

/* ---- a core: ELF header, one PT_NOTE, then the notes -------------------------- */

static size_t note(uint8_t *at, const char *owner, uint32_t type, const void *desc, size_t size)
{
	Elf64_Nhdr nh = { (Elf64_Word)strlen(owner) + 1, (Elf64_Word)size, type };
	size_t name_end = (sizeof(nh) + nh.n_namesz + 3) & ~(size_t)3;

	memcpy(at, &nh, sizeof(nh));
	memcpy(at + sizeof(nh), owner, nh.n_namesz);
	memcpy(at + name_end, desc, size);
	return name_end + ((size + 3) & ~(size_t)3);
}

static size_t core_image(uint8_t *core, const uint8_t *xstate, size_t xsize, bool layout)
{
	static const uint32_t records[][4] = { { 2, 256, 576, 0 }, { 5, 64, 832, 0 }, { 6, 512, 896, 0 },
					       { 7, 1024, 1408, 0 } };
	uint8_t prstatus[336] = { 0 };
	uint32_t pid = 100;
	size_t at = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)core;
	Elf64_Phdr *ph = (Elf64_Phdr *)(core + sizeof(*eh));

	memset(core, 0, at);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = eh->e_version = EV_CURRENT;
	eh->e_type = ET_CORE;
	eh->e_machine = EM_X86_64;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	for (unsigned t = 0; t < 2; t++, pid++) {
		memcpy(prstatus + 32, &pid, 4);
		at += note(core + at, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
		at += note(core + at, "LINUX", 0x202, xstate, xsize);
	}
	if (layout)
		at += note(core + at, "LINUX", 0x205, records, sizeof(records));
	*ph = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = sizeof(*eh) + sizeof(*ph),
			    .p_filesz = at - sizeof(*eh) - sizeof(*ph), .p_align = 4 };
	return at;
}

/* ---- fuzz_decode and fuzz_convert ------------------------------------------------ */

static void decode_seeds(const char *root, uint8_t *buf, uint8_t *out)
{
	struct xs_compat_report rep;
	size_t n, written = 0;
	char name[64];

	for (unsigned m = 0; m < FZ_NMODELS; m++) {
		n = ptrace_image((enum fz_model)m, ~UINT64_C(0), buf);
		snprintf(name, sizeof(name), "ptrace-model%u", m);
		write_seed(root, "decode", name, (uint8_t)(m | 3u << 2), buf, n);
		if (xs_convert_buffer(fz_system((enum fz_model)m), buf, n, fz_system((enum fz_model)m),
				      XS_BUF_COMPACTED, false, out, 1 << 16, &written, &rep, NULL))
			abort();
		snprintf(name, sizeof(name), "compacted-model%u", m);
		write_seed(root, "decode", name, (uint8_t)(m | 0x20), out, written);
		/* to the same CPU in the other format, and forced to the next one */
		write_seed(root, "convert", name, (uint8_t)(m | m << 2), out, written);
		snprintf(name, sizeof(name), "compacted-forced-model%u", m);
		write_seed(root, "convert", name, (uint8_t)(m | ((m + 1) % FZ_NMODELS) << 2 | 0x20), out, written);
		snprintf(name, sizeof(name), "ptrace-model%u", m);
		write_seed(root, "convert", name, (uint8_t)(m | m << 2 | 0x10), buf, n);
		snprintf(name, sizeof(name), "ptrace-forced-model%u", m);
		write_seed(root, "convert", name, (uint8_t)(m | ((m + 2) % FZ_NMODELS) << 2 | 0x30), buf, n);
	}
	n = ptrace_image(FZ_ZEN4, 0xe7, buf);
	write_seed(root, "convert", "zen4-to-client-forced", 0 | 2u << 2 | 0x20, buf, n);
	write_seed(root, "decode", "core-layout", 6u << 2, out, core_image(out, buf, n, true));
	write_seed(root, "decode", "core-plain", 6u << 2, out, core_image(out, buf, n, false));
	write_seed(root, "decode", "short", 1u << 2, buf, 300);
}

/* ---- fuzz_model: a dump, then a buffer for the work byte ------------------------- */

static void model_seed(const char *root, const char *name, uint8_t op, const xs_cpu *cpu,
		       const uint8_t *buf, size_t n)
{
	size_t len = xs_cpu_dump(cpu, XS_DUMP_PLAIN, NULL, 0);
	uint8_t *seed = malloc(2 + len + 1 + n);

	if (!seed || len > 0xffff)
		abort();
	seed[0] = (uint8_t)len;
	seed[1] = (uint8_t)(len >> 8);
	xs_cpu_dump(cpu, XS_DUMP_PLAIN, (char *)seed + 2, len + 1);
	memcpy(seed + 2 + len, buf, n);
	write_seed(root, "model", name, op, seed, 2 + len + n);
	free(seed);
}

static void model_seeds(const char *root, uint8_t *buf)
{
	static const char *const work[4] = { "ptrace", "sigframe", "kvm", "convert" };
	char name[64];
	xs_cpu *cpu = xs_cpu_new();
	size_t n;

	if (!cpu)
		abort();
	for (unsigned m = 0; m < FZ_NMODELS; m++) {
		fz_cpu(cpu, (enum fz_model)m);
		n = ptrace_image((enum fz_model)m, ~UINT64_C(0), buf);
		for (unsigned op = 0; op < 4; op++) {
			snprintf(name, sizeof(name), "model%u-%s", m, work[op]);
			model_seed(root, name, (uint8_t)(op | (m == FZ_SPR ? 4u : 0u)), cpu, buf, n);
		}
	}
	/* bit 6: a boot command line first, read by 6.18 and (bits 5, 7) by 5.18 */
	for (unsigned m = 0; m < FZ_NMODELS; m++) {
		static const char cmdline[] = "clearcpuid=avx512f,xsaves,156 noxsaveopt nopku";

		fz_cpu(cpu, (enum fz_model)m);
		memcpy(buf, cmdline, sizeof(cmdline));
		n = sizeof(cmdline) + ptrace_image((enum fz_model)m, ~UINT64_C(0), buf + sizeof(cmdline));
		snprintf(name, sizeof(name), "model%u-cmdline-ptrace", m);
		model_seed(root, name, 0x40, cpu, buf, n);
		snprintf(name, sizeof(name), "model%u-cmdline-5.18-sigframe", m);
		model_seed(root, name, 0x40 | 0x20 | 0x80 | 1, cpu, buf, n);
	}
	if (!xs_cpu_from_host(cpu))
		model_seed(root, "live-ptrace", 0, cpu, buf, ptrace_image(FZ_ZEN4, 0xe7, buf));
	xs_cpu_free(cpu);
}

int main(int argc, char **argv)
{
	uint8_t *buf = calloc(1, 1 << 16), *out = calloc(1, 1 << 16);

	if (argc != 2 || !buf || !out) {
		fprintf(stderr, "usage: fuzz_make_corpus DIR\n");
		return 2;
	}
	cpu_parse_seeds(argv[1]);
	uabi_seeds(argv[1], buf);
	decode_seeds(argv[1], buf, out);
	model_seeds(argv[1], buf);
	free(buf);
	free(out);
	return 0;
}
