// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>

#include "cli.h"

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", xs_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return XS_EXIT_USAGE;
}

int cli_load_cpu(xs_cpu *cpu, const char *path, unsigned cpu_index)
{
	struct xs_diag diag = { 0 };
	int ret;

	if (!path || !strcmp(path, "live")) {
		if (cpu_index)
			return cli_error("--cpu %u: the live CPU is always CPU 0", cpu_index);
		ret = xs_cpu_from_host(cpu);
		if (ret)
			return cli_error("cannot read the live CPU: %s", strerror(-ret));
		return 0;
	}
	ret = xs_cpu_from_file(cpu, path, cpu_index, &diag);
	if (ret) {
		fprintf(stderr, "%s\n", diag.msg);
		return XS_EXIT_USAGE;
	}
	return 0;
}

int cli_init_system(xs_system *sys, const xs_cpu *cpu, const char *path, const struct xs_options *o)
{
	const char *name = path ? path : "live";

	if (xs_system_init(sys, cpu, o))
		return cli_error("%s: the kernel release or options are not modelled", name);
	switch (xs_system_usable(sys)) {
	case -ENODEV:
		return cli_error("%s: Linux does not boot on this CPU model: %s", name, sys->halt_reason);
	case -ERANGE:
		return cli_error("%s: Linux would size its buffers below the 576-byte legacy area and header on this CPU model (user %u, kernel %u bytes): a CPUID 0xD sub-leaf gives a component no bytes",
				 name, sys->user.default_size, sys->kernel.default_size);
	default:
		return 0;
	}
}

int cli_load_system(xs_system *sys, const char *path, unsigned cpu_index, const struct xs_options *o)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));
	int ret = cpu ? cli_load_cpu(cpu, path, cpu_index) : cli_error("out of memory");

	if (!ret)
		ret = cli_init_system(sys, cpu, path, o);
	free(cpu);
	return ret;
}

int cli_parse_uint(const char *opt, const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return cli_error("%s: expected a non-negative number, got '%s'", opt, s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return cli_error("%s: expected a number, got '%s'", opt, s);
	if (v > max)
		return cli_error("%s: %llu is out of range (at most %llu)", opt, v, max);
	*out = v;
	return 0;
}

int cli_parse_format(const char *s, unsigned allowed, enum xs_out_format *out)
{
	static const char *const names[] = { "text", "json", "dmesg", "csv" };
	char list[64] = "";

	for (unsigned i = 0; i < 4; i++) {
		if (!(allowed & (1u << i)))
			continue;
		if (!strcmp(s, names[i])) {
			*out = (enum xs_out_format)i;
			return 0;
		}
		strcat(list, list[0] ? "|" : "");
		strcat(list, names[i]);
	}
	return cli_error("--format: unknown format '%s' (expected %s)", s, list);
}

int cli_parse_policy(const char *s, enum xs_cet_s_policy *out)
{
	if (xs_cet_s_policy_parse(s, out))
		return cli_error("--cet-s: unknown policy '%s' (expected off|guest-only|all)", s);
	return 0;
}

/* Split a comma list and call fn on every item. */
/* NAME[,NAME...]: every item non-empty (strtok would skip "a,,b" and ""). */
static int for_each_item(const char *option, const char *list, int (*fn)(const char *item, void *ctx),
			 void *ctx)
{
	char *copy = strdup(list), *item, *comma;
	int ret = 0;

	if (!copy)
		return cli_error("out of memory");
	for (item = copy; !ret; item = comma + 1) {
		comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		if (!*item)
			ret = cli_error("%s: empty name in '%s' (expected NAME[,NAME...])", option, list);
		else
			ret = fn(item, ctx);
		if (!comma)
			break;
	}
	free(copy);
	return ret;
}

static int add_cpu_feature(const char *item, void *ctx)
{
	int f = xs_cpu_feature_by_name(item);

	if (f < 0) {
		fprintf(stderr, "%s: --disable: unknown CPU feature '%s'; valid names:", xs_prog, item);
		for (unsigned i = 0; i < XS_CPU_FEATURE_COUNT; i++)
			fprintf(stderr, " %s", xs_cpu_feature_name((enum xs_cpu_feature)i));
		fputc('\n', stderr);
		return XS_EXIT_USAGE;
	}
	*(uint64_t *)ctx |= XS_BIT(f);
	return 0;
}

int cli_parse_disable(const char *list, uint64_t *mask)
{
	return for_each_item("--disable", list, add_cpu_feature, mask);
}

static int add_xfeature(const char *item, void *ctx)
{
	int nr = xs_xfeature_by_name(item);

	if (nr < 0) {
		fprintf(stderr, "%s: --request: unknown state component '%s'; valid names:", xs_prog, item);
		for (unsigned i = 0; i < XS_XFEATURE_MAX; i++)
			fprintf(stderr, " %s", xs_xfeature_info(i)->short_name);
		fputc('\n', stderr);
		return XS_EXIT_USAGE;
	}
	*(uint64_t *)ctx |= XS_BIT(nr);
	return 0;
}

int cli_parse_xfeatures(const char *list, uint64_t *mask)
{
	return for_each_item("--request", list, add_xfeature, mask);
}

int cli_parse_kernel(const char *option, const char *s, uint32_t *out)
{
	if (xs_kernel_parse(s, out))
		return cli_error("%s: expected a release from 5.10 to 6.18 (5.10..5.19, 6.0..6.18, optionally with a stable sublevel such as 6.18.34), got '%s'",
				 option, s);
	return 0;
}

void cli_model_init(struct cli_model *m)
{
	memset(m, 0, sizeof(*m));
	xs_options_init(&m->opts);
}

bool cli_model_option(int c, const char *arg, struct cli_model *m, int *ret)
{
	unsigned long long n = 0;

	switch (c) {
	case 'c': m->cpuid = arg; break;
	case 'n':
		*ret = cli_parse_uint("--cpu", arg, 4095, &n);
		m->cpu = (unsigned)n;
		break;
	case 's': *ret = cli_parse_policy(arg, &m->opts.cet_s); break;
	case 'd': *ret = cli_parse_disable(arg, &m->opts.clear_features); break;
	case 'k': *ret = cli_parse_kernel("--kernel", arg, &m->opts.kernel); break;
	default: return false;
	}
	return true;
}

const char *cli_hex(uint64_t v, char buf[24])
{
	snprintf(buf, 24, "0x%llx", (unsigned long long)v);
	return buf;
}

json_t *json_hex(uint64_t v)
{
	char buf[24];

	return json_string(cli_hex(v, buf));
}

int cli_print_json(json_t *v)
{
	int ret = json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	fputc('\n', stdout);
	json_decref(v);
	return ret ? XS_EXIT_USAGE : XS_EXIT_OK;
}

const char *cli_xfeature_list(uint64_t mask, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < XS_XFEATURE_MAX && n < size; i++)
		if (mask & XS_BIT(i))
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "",
					      xs_xfeature_info(i)->short_name);
	if (!buf[0])
		snprintf(buf, size, "-");
	return buf;
}

int cli_read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, n = 0, r;
	uint8_t *b = NULL;

	if (!f)
		return cli_error("%s: %s", path, strerror(errno));
	do {
		if (n == cap) {
			uint8_t *nb = realloc(b, cap = cap ? cap * 2 : 65536);

			if (!nb || cap > (256u << 20)) {
				free(nb ? nb : b);
				fclose(f);
				return cli_error("%s: too large or out of memory", path);
			}
			b = nb;
		}
		r = fread(b + n, 1, cap - n, f);
		n += r;
	} while (r);
	if (ferror(f)) {
		free(b);
		fclose(f);
		return cli_error("%s: read error", path);
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

static const char *refusal_reason(unsigned nr, long r)
{
	if (r == -EOPNOTSUPP)
		return xs_xfeature_info(nr)->dynamic ? "the CPU or the kernel does not offer it"
						     : "not a dynamic (XFD) component; only those need a request";
	return strerror((int)-r);
}

int cli_permit(xs_fpu *fpu, uint64_t request, bool guest)
{
	int option = guest ? XS_ARCH_REQ_XCOMP_GUEST_PERM : XS_ARCH_REQ_XCOMP_PERM;
	long r;

	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		if (!(request & XS_BIT(nr)))
			continue;
		r = xs_arch_prctl(fpu, option, nr, NULL);
		if (r)
			return cli_error("--request %s: %s(%u) fails with %s: %s", xs_xfeature_info(nr)->short_name,
					 guest ? "ARCH_REQ_XCOMP_GUEST_PERM" : "ARCH_REQ_XCOMP_PERM", nr,
					 xs_errno_name((int)r), refusal_reason(nr, r));
	}
	/* a task's first use enlarges it; a vCPU is enabled once it exists */
	r = !guest && (request & XS_XFEATURE_MASK_USER_DYNAMIC)
		    ? xs_xfd_enable_feature(fpu, request & XS_XFEATURE_MASK_USER_DYNAMIC) : 0;
	if (r)
		return cli_error("first use of the requested components fails: %s", xs_errno_name((int)r));
	return 0;
}

int cli_is_dump_name(const struct dirent *d)
{
	static const char *const skip[] = { ".md", ".tsv", ".csv", ".json" };
	size_t n = strlen(d->d_name);

	if (d->d_name[0] == '.' || d->d_type == DT_DIR)	/* e.g. formats/: a corpus is flat */
		return 0;
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (n > strlen(skip[i]) && !strcmp(d->d_name + n - strlen(skip[i]), skip[i]))
			return 0;
	return 1;
}

bool cli_is_directory(const char *path)
{
	struct stat st;

	return path && !stat(path, &st) && S_ISDIR(st.st_mode);
}
