// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <unistd.h>

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
	static const char *const names[] = { "text", "json", "dmesg", "csv", "svg" };
	char list[64] = "";

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
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
	/* "6.18", "6.18.34", or what `uname -r` says ("6.18.44-fc-v1272") */
	if (xs_kernel_parse(s, out) && xs_kernel_parse_uname(s, out))
		return cli_error("%s: expected a release from 5.10 to 6.18 (5.10..5.19, 6.0..6.18, optionally with a stable sublevel such as 6.18.34, or a `uname -r` string), got '%s'",
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

int cli_print_json_to(FILE *f, json_t *v)
{
	int ret = json_dumpf(v, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	fputc('\n', f);
	json_decref(v);
	return ret ? XS_EXIT_USAGE : XS_EXIT_OK;
}

int cli_print_json(json_t *v)
{
	return cli_print_json_to(stdout, v);
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

/* ---- files and standard streams ------------------------------------------- */

/* Standard input can be read once; a second "-" would find it empty. */
static bool stdin_taken;

bool cli_is_stdin(const char *path)
{
	return path && !strcmp(path, "-");
}

static int diag_fail(struct xs_diag *d, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int diag_fail(struct xs_diag *d, int err, const char *fmt, ...)
{
	va_list ap;

	d->line = 0;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return err;
}

/* PATH ("-": a descriptor of standard input) open for reading, or -errno and why. */
static int open_input(const char *path, const char *expected, int *fd, struct xs_diag *d)
{
	struct stat st;

	if (cli_is_stdin(path)) {
		if (stdin_taken)
			return diag_fail(d, -EINVAL, "-: standard input is already read (only one '-' per command)");
		stdin_taken = true;
		*fd = dup(STDIN_FILENO);
	} else {
		*fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (*fd < 0)
		return diag_fail(d, -errno, "%s: %s", path, strerror(errno));
	if (!fstat(*fd, &st) && S_ISDIR(st.st_mode)) {
		close(*fd);
		return diag_fail(d, -EISDIR, "%s: is a directory, expected %s", path, expected);
	}
	return 0;
}

/* Everything fd holds, at most max bytes. */
static int read_all(int fd, const char *path, const char *expected, size_t max, uint8_t **buf, size_t *len,
		    struct xs_diag *d)
{
	size_t cap = 0, n = 0;
	uint8_t *b = NULL, *nb;
	ssize_t r;

	for (;;) {
		if (n == cap) {
			if (n > max) {
				free(b);
				return diag_fail(d, -EFBIG, "%s: larger than %zu bytes, expected %s", path, max, expected);
			}
			cap = cap ? 2 * cap : 65536;
			if (!(nb = realloc(b, cap))) {
				free(b);
				return diag_fail(d, -ENOMEM, "%s: out of memory", path);
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			free(b);
			return diag_fail(d, -err, "%s: %s", path, strerror(err));
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return 0;
}

static int read_stream(const char *path, const char *expected, size_t max, uint8_t **buf, size_t *len,
		       struct xs_diag *d)
{
	int fd, ret = open_input(path, expected, &fd, d);

	if (ret)
		return ret;
	ret = read_all(fd, path, expected, max, buf, len, d);
	close(fd);
	return ret;
}

int cli_read_fd(int fd, const char *path, const char *expected, size_t max, uint8_t **buf, size_t *len)
{
	struct xs_diag d = { 0 };

	if (read_all(fd, path, expected, max, buf, len, &d))
		return cli_error("%s", d.msg);
	return 0;
}

int cli_read_file(const char *path, const char *expected, size_t max, uint8_t **buf, size_t *len)
{
	struct xs_diag d = { 0 };

	if (read_stream(path, expected, max, buf, len, &d))
		return cli_error("%s", d.msg);
	return 0;
}

/* Copy the rest of in to out (a pipe into a temporary file). */
static int copy_fd(int in, int out)
{
	uint8_t b[65536];
	ssize_t r;

	while ((r = read(in, b, sizeof(b))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		for (ssize_t done = 0, w; done < r; done += w)
			if ((w = write(out, b + done, (size_t)(r - done))) < 0)
				return -errno;
	}
	return 0;
}

int cli_open_file(const char *path, const char *expected, int *fd)
{
	struct xs_diag d = { 0 };
	struct stat st;
	FILE *tmp;
	int in, ret;

	if (open_input(path, expected, &in, &d))
		return cli_error("%s", d.msg);
	if (!fstat(in, &st) && S_ISREG(st.st_mode)) {
		*fd = in;
		return 0;
	}
	/* a pipe: into an unlinked temporary file, so the reader may seek (any size, little memory) */
	tmp = tmpfile();
	ret = tmp ? copy_fd(in, fileno(tmp)) : -errno;
	close(in);
	if (ret) {
		if (tmp)
			fclose(tmp);
		return cli_error("%s: cannot keep standard input in a temporary file: %s", path, strerror(-ret));
	}
	*fd = lseek(fileno(tmp), 0, SEEK_SET) ? -1 : dup(fileno(tmp));
	fclose(tmp);
	return *fd < 0 ? cli_error("%s: %s", path, strerror(errno)) : 0;
}

int cli_write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = cli_is_stdin(path) ? stdout : fopen(path, "wb");

	if (!f)
		return cli_error("%s: %s", path, strerror(errno));
	if (fwrite(buf, 1, len, f) != len || (f == stdout ? fflush(f) : fclose(f)))
		return cli_error("%s: %s", cli_is_stdin(path) ? "standard output" : path, strerror(errno));
	return 0;
}

int cli_read_cpu(xs_cpu *cpu, const char *path, unsigned cpu_index, struct xs_diag *diag)
{
	uint8_t *text = NULL;
	size_t len = 0;
	int ret;

	if (!cli_is_stdin(path))
		return xs_cpu_from_file(cpu, path, cpu_index, diag);
	ret = read_stream(path, "a CPUID dump", CLI_DUMP_MAX, &text, &len, diag);
	if (!ret)
		ret = xs_cpu_parse(cpu, len ? (const char *)text : "", len, cpu_index, CLI_STDIN_NAME, diag);
	free(text);
	return ret;
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
	if (cli_read_cpu(cpu, path, cpu_index, &diag))
		return cli_error("%s", diag.msg);
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

/* ---- directories of dumps --------------------------------------------------- */

static void free_names(struct dirent **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int cli_list_dumps(const char *dir, char ***paths, unsigned *n)
{
	struct dirent **names = NULL;
	char **p;
	unsigned k = 0;
	int count = scandir(dir, &names, cli_is_dump_name, alphasort);

	if (count < 0)
		return cli_error("%s: cannot read the directory: %s", dir, strerror(errno));
	p = calloc((size_t)count + 1, sizeof(*p));
	for (int i = 0; p && i < count; i++) {
		struct stat st;
		size_t len = strlen(dir) + strlen(names[i]->d_name) + 2;
		char *path = malloc(len);

		if (!path)
			break;
		snprintf(path, len, "%s/%s", dir, names[i]->d_name);
		if (!stat(path, &st) && S_ISREG(st.st_mode))
			p[k++] = path;
		else
			free(path);
	}
	free_names(names, count);
	if (!p)
		return cli_error("out of memory");
	if (!k) {
		free(p);
		return cli_error("%s: no CPUID dumps in this directory (README.md, *.tsv, *.csv, *.json and subdirectories are not dumps)",
				 dir);
	}
	*paths = p;
	*n = k;
	return 0;
}

void cli_free_paths(char **paths)
{
	for (char **p = paths; p && *p; p++)
		free(*p);
	free(paths);
}

/*
 * Hosts named by directories, for the rest of the command: the new argv
 * and the paths made for it, freed at exit.
 */
static char **expanded_argv;
static char **expanded_paths;
static unsigned nexpanded;

static void free_expanded(void)
{
	for (unsigned i = 0; i < nexpanded; i++)
		free(expanded_paths[i]);
	free(expanded_paths);
	free(expanded_argv);
	expanded_paths = expanded_argv = NULL;
	nexpanded = 0;
}

/* Keep the k paths of one directory; false when out of memory (they are freed). */
static bool keep_paths(char **paths, unsigned k)
{
	char **grown = realloc(expanded_paths, (nexpanded + k) * sizeof(*grown));

	if (!grown) {
		cli_free_paths(paths);
		return false;
	}
	expanded_paths = grown;
	memcpy(expanded_paths + nexpanded, paths, k * sizeof(*paths));
	nexpanded += k;
	free(paths);
	return true;
}

int cli_expand_dirs(int *argc, char ***argv, int first, unsigned max)
{
	static bool registered;
	size_t cap = (size_t)*argc + 1, n = 0;
	char **out = malloc(cap * sizeof(*out)), **paths, **grown;
	unsigned k;

	if (!registered) {
		atexit(free_expanded);
		registered = true;
	}
	for (int i = 0; out && i < *argc; i++) {
		if (i < first || !cli_is_directory((*argv)[i])) {
			out[n++] = (*argv)[i];
			continue;
		}
		if (cli_list_dumps((*argv)[i], &paths, &k)) {
			free(out);
			return XS_EXIT_USAGE;
		}
		grown = realloc(out, (cap += k) * sizeof(*out));
		if (!grown)
			cli_free_paths(paths);
		if (!grown || !keep_paths(paths, k)) {
			free(grown ? grown : out);
			return cli_error("out of memory");
		}
		out = grown;
		memcpy(out + n, expanded_paths + nexpanded - k, k * sizeof(*out));
		n += k;
	}
	if (!out)
		return cli_error("out of memory");
	out[n] = NULL;
	if (n - (size_t)first > max) {
		free(out);
		return cli_error("%zu hosts (directories give all their dumps): at most %u", n - (size_t)first, max);
	}
	free(expanded_argv);
	expanded_argv = out;
	*argc = (int)n;
	*argv = out;
	return 0;
}

/* ---- file names in JSON ------------------------------------------------------ */

/* The length of the valid UTF-8 sequence at s (1..4), or 0 (RFC 3629). */
static size_t utf8_char(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
	uint32_t cp = n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;

	if (n <= 1)
		return n;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* no overlong forms, surrogates or code points beyond U+10FFFF */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void cli_json_set_path(json_t *obj, const char *key, const char *path)
{
	const unsigned char *p = (const unsigned char *)path;
	size_t len = strlen(path), k = 0, n;
	char *text = malloc(3 * len + 1), *hex = malloc(2 * len + 1), *bkey;
	bool valid = true;

	if (!text || !hex) {
		free(text);
		free(hex);
		json_object_set_new(obj, key, json_null());
		return;
	}
	/* readable: each byte that is not UTF-8 becomes U+FFFD */
	for (size_t i = 0; i < len; i += n ? n : 1) {
		n = utf8_char(p + i);
		if (n) {
			memcpy(text + k, p + i, n);
			k += n;
		} else {
			memcpy(text + k, "\xef\xbf\xbd", 3);
			k += 3;
			valid = false;
		}
	}
	text[k] = '\0';
	json_object_set_new(obj, key, json_string(text));
	/* lossless: the name's bytes in hex, only where the text could not hold them */
	if (!valid && (bkey = malloc(strlen(key) + 7))) {
		for (size_t i = 0; i < len; i++)
			snprintf(hex + 2 * i, 3, "%02x", p[i]);
		sprintf(bkey, "%s_bytes", key);
		json_object_set_new(obj, bkey, json_string(hex));
		free(bkey);
	}
	free(text);
	free(hex);
}
