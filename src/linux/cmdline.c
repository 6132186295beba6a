// SPDX-License-Identifier: MIT
/*
 * The kernel command line as the CPU code reads it before the FPU is set
 * up: cpu_parse_early_param() in arch/x86/kernel/cpu/common.c (noxsave,
 * noxsaveopt, noxsaves, clearcpuid=) and the nopku __setup handler there,
 * per release. What it clears goes through setup_clear_cpu_cap(), so the
 * dependency clearing of cpuid-deps.c follows (cpufeature.c); what the
 * kernel prints goes to xs_system.cpu_log.
 *
 * Releases (sources in docs/kernels-research.md, Q11):
 *  - 5.10..5.18: clearcpuid= is a list of bit numbers read with
 *    get_option() (base 0: 154, 0x9a and 0232 are the same bit); the
 *    first entry that is not a number ends the list. One pr_info line,
 *    "Clearing CPUID bits:" and the flag names (X86_CAP_FMT, so "(null)"
 *    for a flag without a /proc/cpuinfo name).
 *  - 5.19 ("x86/cpu: Allow feature bit names from /proc/cpuinfo in
 *    clearcpuid=", 1625c833db93): decimal numbers (kstrtouint) or
 *    /proc/cpuinfo names, each entry on its own; unnamed bits print as
 *    word:bit, unknown names as "(unknown: NAME)"; the kernel is tainted
 *    (TAINT_CPU_OUT_OF_SPEC) without saying so.
 *  - 6.15 ("x86/cpu: Warn louder about the {set,clear}cpuid boot
 *    parameters", 681955761bf6; "x86/cpu: Log CPU flag cmdline hacks more
 *    verbosely", d0ba9bcf001c): one pr_warn per flag and a final warning
 *    that the kernel is tainted.
 * The argument is copied into a 128-byte buffer (cmdline_find_option()):
 * a longer one is cut at 127 characters; the last clearcpuid= wins.
 * noxsave, noxsaveopt and noxsaves are whole words (cmdline_find_option_bool())
 * and print nothing. nopku keeps X86_FEATURE_PKU and only stops setup_pku()
 * from setting CR4.PKE, so OSPKE stays clear.
 */
#include <stdarg.h>
#include <string.h>

#include "linux/linux.h"

#define CLEARCPUID_ARG_SIZE 128	/* char arg[128] in cpu_parse_early_param() */
/*
 * NCAPINTS * 32: bits beyond it are ignored. 22 words in 6.16..6.18 (word
 * 21 holds APX); older releases have fewer, which only matters for bits
 * the model does not know.
 */
#define CAP_BITS (22 * 32)

/*
 * The model's features as the kernel numbers them (asm/cpufeatures.h:
 * word * 32 + bit) and the /proc/cpuinfo name its clearcpuid= parser
 * matches (NULL: a "" flag, or one without a name). `named_from`: the
 * first release whose x86_cap_flags[] has the name (XS_K_COUNT: every
 * modelled release); before it the bit has no name.
 */
static const struct kfeature {
	unsigned char f;
	unsigned short bit;
	const char *name;
	enum xs_kchange named_from;
} kfeatures[] = {
	{ XS_CPU_FPU, 0 * 32 + 0, "fpu", XS_K_COUNT },
	{ XS_CPU_FXSR, 0 * 32 + 24, "fxsr", XS_K_COUNT },
	{ XS_CPU_XMM, 0 * 32 + 25, "sse", XS_K_COUNT },
	{ XS_CPU_XMM2, 0 * 32 + 26, "sse2", XS_K_COUNT },
	{ XS_CPU_LM, 1 * 32 + 29, "lm", XS_K_COUNT },
	{ XS_CPU_XSAVE, 4 * 32 + 26, "xsave", XS_K_COUNT },
	{ XS_CPU_OSXSAVE, 4 * 32 + 27, NULL, XS_K_COUNT },
	{ XS_CPU_AVX, 4 * 32 + 28, "avx", XS_K_COUNT },
	{ XS_CPU_HYPERVISOR, 4 * 32 + 31, "hypervisor", XS_K_COUNT },
	{ XS_CPU_MISALIGNSSE, 6 * 32 + 7, "misalignsse", XS_K_COUNT },
	{ XS_CPU_LWP, 6 * 32 + 15, "lwp", XS_K_COUNT },
	{ XS_CPU_AVX2, 9 * 32 + 5, "avx2", XS_K_COUNT },
	{ XS_CPU_FDP_EXCPTN_ONLY, 9 * 32 + 6, NULL, XS_K_COUNT },
	{ XS_CPU_ZERO_FCS_FDS, 9 * 32 + 13, NULL, XS_K_COUNT },
	{ XS_CPU_MPX, 9 * 32 + 14, "mpx", XS_K_COUNT },
	{ XS_CPU_AVX512F, 9 * 32 + 16, "avx512f", XS_K_COUNT },
	{ XS_CPU_INTEL_PT, 9 * 32 + 25, "intel_pt", XS_K_COUNT },
	{ XS_CPU_XSAVEOPT, 10 * 32 + 0, "xsaveopt", XS_K_COUNT },
	{ XS_CPU_XSAVEC, 10 * 32 + 1, "xsavec", XS_K_COUNT },
	{ XS_CPU_XGETBV1, 10 * 32 + 2, "xgetbv1", XS_K_COUNT },
	{ XS_CPU_XSAVES, 10 * 32 + 3, "xsaves", XS_K_COUNT },
	{ XS_CPU_XFD, 10 * 32 + 4, NULL, XS_K_COUNT },		/* "" since 5.16 */
	{ XS_CPU_XSAVEERPTR, 13 * 32 + 2, "xsaveerptr", XS_K_COUNT },
	{ XS_CPU_PKU, 16 * 32 + 3, "pku", XS_K_COUNT },
	{ XS_CPU_OSPKE, 16 * 32 + 4, "ospke", XS_K_COUNT },
	{ XS_CPU_SHSTK, 16 * 32 + 7, NULL, XS_K_COUNT },	/* "" since 6.6 */
	{ XS_CPU_ENQCMD, 16 * 32 + 29, "enqcmd", XS_K_COUNT },
	{ XS_CPU_ARCH_LBR, 18 * 32 + 19, "arch_lbr", XS_K_COUNT },
	{ XS_CPU_IBT, 18 * 32 + 20, "ibt", XS_K_KERNEL_IBT },
	{ XS_CPU_AMX_TILE, 18 * 32 + 24, "amx_tile", XS_K_COUNT },
	{ XS_CPU_APX, 21 * 32 + 9, NULL, XS_K_COUNT },		/* no name (6.16) */
};

/* Where the parser's messages and notes go. */
struct parse_out {
	char *log;
	size_t size;
	xs_system *sys;		/* NULL: no notes */
};

static void out_printf(struct parse_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_printf(struct parse_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xs_log_vappend(o->log, o->size, fmt, ap);
	va_end(ap);
}

static const struct kfeature *kfeature_by_bit(unsigned bit)
{
	for (size_t i = 0; i < XS_ARRAY_SIZE(kfeatures); i++)
		if (kfeatures[i].bit == bit)
			return &kfeatures[i];
	return NULL;
}

/* x86_cap_flags[bit] in `release`, or NULL. */
static const char *flag_name(const struct kfeature *k, uint32_t release)
{
	if (!k || (k->named_from != XS_K_COUNT && !xs_kernel_has(release, k->named_from)))
		return NULL;
	return k->name;
}

static const struct kfeature *kfeature_by_name(const char *name, uint32_t release)
{
	for (size_t i = 0; i < XS_ARRAY_SIZE(kfeatures); i++) {
		const char *n = flag_name(&kfeatures[i], release);

		if (n && !strcmp(n, name))
			return &kfeatures[i];
	}
	return NULL;
}

/* The kernel's myisspace(): anything up to ' ' separates words. */
static bool is_space(char c)
{
	return (unsigned char)c <= ' ';
}

/* The next word of a command line at *p: [*w, *w + return value), or 0 at the end. */
static size_t next_word(const char **p, const char **w)
{
	const char *s = *p, *e;

	while (*s && is_space(*s))
		s++;
	for (e = s; *e && !is_space(*e); e++)
		;
	*w = s;
	*p = e;
	return (size_t)(e - s);
}

/* cmdline_find_option_bool(): `opt` as a whole word. */
static bool find_option_bool(const char *cmdline, const char *opt)
{
	size_t n = strlen(opt), len;
	const char *w;

	for (const char *p = cmdline; (len = next_word(&p, &w));)
		if (len == n && !memcmp(w, opt, n))
			return true;
	return false;
}

/*
 * cmdline_find_option(): the argument of the last "opt=" word, cut to
 * size - 1 characters; its full length, or -1 when there is none.
 */
static int find_option(const char *cmdline, const char *opt, char *buf, size_t size)
{
	size_t n = strlen(opt), len;
	const char *w;
	int found = -1;

	for (const char *p = cmdline; (len = next_word(&p, &w));) {
		size_t arg, copy;

		if (len <= n || memcmp(w, opt, n) || w[n] != '=')
			continue;
		arg = len - n - 1;
		copy = arg < size - 1 ? arg : size - 1;
		memcpy(buf, w + n + 1, copy);
		buf[copy] = '\0';
		found = (int)arg;
	}
	return found;
}

/* A __setup("nopku") handler runs for any word that starts with "nopku". */
static bool find_setup_prefix(const char *cmdline, const char *opt)
{
	size_t n = strlen(opt), len;
	const char *w;

	for (const char *p = cmdline; (len = next_word(&p, &w));)
		if (len >= n && !memcmp(w, opt, n))
			return true;
	return false;
}

/* Clear the feature behind kernel bit `bit`, or note that the model does not know it. */
static void clear_bit_nr(unsigned bit, uint64_t *clear, struct parse_out *o)
{
	const struct kfeature *k = kfeature_by_bit(bit);

	if (!k) {
		if (o->sys)
			xs_note(o->sys, "clearcpuid: bit %u (word %u, bit %u) is not a feature the xstate code reads; shown as %u:%u",
				bit, bit >> 5, bit & 31, bit >> 5, bit & 31);
		return;
	}
	if (k->f == XS_CPU_OSPKE || k->f == XS_CPU_OSXSAVE) {
		if (o->sys)
			xs_note(o->sys, "clearcpuid: %s is set by the kernel itself (setup_pku(), fpu__init_cpu_xstate()): clearing it changes no xfeature",
				xs_cpu_feature_name((enum xs_cpu_feature)k->f));
		return;
	}
	*clear |= XS_BIT(k->f);
}

/* How one flag is printed: its name, "(null)" before 5.19, word:bit after. */
static const char *flag_text(unsigned bit, uint32_t release, char buf[16])
{
	const char *name = flag_name(kfeature_by_bit(bit), release);

	if (name)
		return name;
	if (!xs_kernel_has(release, XS_K_CLEARCPUID_NAMES) && kfeature_by_bit(bit))
		return "(null)";
	snprintf(buf, 16, "%u:%u", bit >> 5, bit & 31);
	return buf;
}

/* simple_strtoull(s, &end, 0): decimal, 0x hex or 0 octal. */
static unsigned long long strtoull_base0(const char *s, const char **end)
{
	unsigned base = 10;
	unsigned long long v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && strchr("0123456789abcdefABCDEF", s[2]) && s[2]) {
		base = 16;
		s += 2;
	} else if (s[0] == '0') {
		base = 8;
	}
	for (;; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (d >= base)
			break;
		v = v * base + d;
	}
	*end = s;
	return v;
}

/* 5.10..5.18: the get_option() loop of cpu_parse_early_param(). */
static void clearcpuid_numbers(const char *arg, int arglen, uint32_t release, uint64_t *clear,
			       struct parse_out *o)
{
	const char *p = arg;
	char buf[16];
	int res;

	out_printf(o, "Clearing CPUID bits:");
	do {
		const char *end, *cur = p;
		bool neg = *cur == '-';
		unsigned long long v;
		uint32_t bit;	/* get_option() stores into an int: the low 32 bits */

		if (!*cur)
			break;
		v = strtoull_base0(cur + neg, &end);
		if (end == cur + neg)
			break;					/* get_option() == 0 */
		bit = (uint32_t)(neg ? 0 - v : v);
		res = *end == ',' ? 2 : *end == '-' ? 3 : 1;
		p = res == 2 ? end + 1 : end;
		if (res == 3 || (res == 1 && arglen >= CLEARCPUID_ARG_SIZE))
			break;					/* a range, or cut off */
		if (!(bit & 0x80000000u) && bit < CAP_BITS) {	/* bit >= 0 && bit < NCAPINTS * 32 */
			out_printf(o, " %s", flag_text(bit, release, buf));
			clear_bit_nr(bit, clear, o);
		}
	} while (res == 2);
	out_printf(o, "\n");
}

/* kstrtouint(s, 10): optional '+', decimal digits, one trailing newline. */
static bool kstrtouint10(const char *s, unsigned *out)
{
	unsigned long long v = 0;
	const char *p = s + (*s == '+');

	if (!*p || *p == '\n')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > 0xffffffffull)
			return false;
	}
	if (*p == '\n')
		p++;
	if (*p)
		return false;
	*out = (unsigned)v;
	return true;
}

/* One entry of the 5.19+ parser: true when it clears (and taints). */
static bool clearcpuid_entry(const char *opt, uint32_t release, uint64_t *clear, struct parse_out *o)
{
	bool loud = xs_kernel_has(release, XS_K_CLEARCPUID_WARN);
	const struct kfeature *k;
	unsigned bit;
	char buf[16];

	if (kstrtouint10(opt, &bit)) {
		if (bit >= CAP_BITS)
			return false;	/* beyond NCAPINTS: ignored */
		if (loud)
			out_printf(o, "clearcpuid: force-disabling CPU feature flag: %s\n", flag_text(bit, release, buf));
		else
			out_printf(o, " %s", flag_text(bit, release, buf));
		clear_bit_nr(bit, clear, o);
		return true;
	}
	k = kfeature_by_name(opt, release);
	if (!k) {
		if (loud)
			out_printf(o, "clearcpuid: unknown CPU flag: %s\n", opt);
		else
			out_printf(o, " (unknown: %s)", opt);
		if (o->sys && *opt)
			xs_note(o->sys, "clearcpuid: '%s' is not a /proc/cpuinfo name of a feature the model reads; the kernel may know it (its message is modelled as unknown)",
				opt);
		return false;
	}
	if (loud)
		out_printf(o, "clearcpuid: force-disabling CPU feature flag: %s\n", k->name);
	else
		out_printf(o, " %s", k->name);
	clear_bit_nr(k->bit, clear, o);
	return true;
}

/* 5.19+: strsep() over the commas, numbers and names. */
static void clearcpuid_names(char *arg, uint32_t release, uint64_t *clear, struct parse_out *o)
{
	bool loud = xs_kernel_has(release, XS_K_CLEARCPUID_WARN);
	unsigned taint = 0;

	if (!loud)
		out_printf(o, "Clearing CPUID bits:");
	for (char *opt = arg, *next; opt; opt = next) {
		next = strchr(opt, ',');
		if (next)
			*next++ = '\0';
		taint += clearcpuid_entry(opt, release, clear, o);
	}
	if (!loud)
		out_printf(o, "\n");
	if (!taint)
		return;
	if (loud)
		out_printf(o, "!!! setcpuid=/clearcpuid= in use, this is for TESTING ONLY, may break things horribly. Tainting kernel.\n");
	else if (o->sys)
		xs_note(o->sys, "clearcpuid= taints the kernel (TAINT_CPU_OUT_OF_SPEC, 'S') without a message");
}

static void parse_early_param(const char *cmdline, uint32_t release, struct xs_cmdline_effect *e,
			      struct parse_out *o)
{
	static const struct { const char *param; enum xs_cpu_feature f; } bools[] = {
		{ "noxsave", XS_CPU_XSAVE }, { "noxsaveopt", XS_CPU_XSAVEOPT }, { "noxsaves", XS_CPU_XSAVES },
	};
	char arg[CLEARCPUID_ARG_SIZE];
	int arglen;

	memset(e, 0, sizeof(*e));
	if (!cmdline)
		return;
	for (size_t i = 0; i < XS_ARRAY_SIZE(bools); i++)
		if (find_option_bool(cmdline, bools[i].param))
			e->clear |= XS_BIT(bools[i].f);
	arglen = find_option(cmdline, "clearcpuid", arg, sizeof(arg));
	if (arglen > 0) {
		if (xs_kernel_has(release, XS_K_CLEARCPUID_NAMES))
			clearcpuid_names(arg, release, &e->clear, o);
		else
			clearcpuid_numbers(arg, arglen, release, &e->clear, o);
	}
	/* setup_disable_pku(), a __setup handler: parsed later, printed then */
	if (find_setup_prefix(cmdline, "nopku")) {
		e->pku_disabled = true;
		out_printf(o, "x86: 'nopku' specified, disabling Memory Protection Keys\n");
	}
}

void xs_cpu_parse_early_param(xs_system *sys, struct xs_cmdline_effect *e)
{
	struct parse_out o = { sys->cpu_log, sizeof(sys->cpu_log), sys };

	parse_early_param(sys->opts.cmdline, sys->opts.kernel, e, &o);
}

uint64_t xs_cmdline_cleared_features(const char *cmdline)
{
	char log[1024] = "";	/* the messages are not wanted here */
	struct parse_out o = { log, sizeof(log), NULL };
	struct xs_cmdline_effect e;

	parse_early_param(cmdline, XS_KERNEL_DEFAULT, &e, &o);
	return e.clear | (e.pku_disabled ? XS_BIT(XS_CPU_OSPKE) : 0);
}
