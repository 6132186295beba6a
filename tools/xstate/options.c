// SPDX-License-Identifier: MIT
/*
 * The option parser of every subcommand (options.h): the value rules, the
 * one getopt_long loop, and --help made from the same tables.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "progress.h"

#define CLI_MAX_OPTS 48		/* options of one command (a bit each in `given`) */
#define HELP_OPT 1000		/* getopt's code for --help; option i is 256 + i */
#define CLI_HELP_SHOWN (-1)	/* parse(): --help printed, exit 0 */
#define USAGE_WIDTH 80		/* usage lines wrap before this column */

/* ---- the value rules -------------------------------------------------------- */

/* "--NAME" of an option, for messages. */
static const char *dashed(const struct cli_opt *o, char buf[64])
{
	snprintf(buf, 64, "--%s", o->name);
	return buf;
}

static int parse_uint(const char *option, const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return cli_error("%s: expected a non-negative number, got '%s'", option, s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return cli_error("%s: expected a number, got '%s'", option, s);
	if (v > max)
		return cli_error("%s: %llu is out of range (at most %llu)", option, v, max);
	*out = v;
	return 0;
}

static int parse_kernel(const char *option, const char *s, uint32_t *out)
{
	/* "6.18", "6.18.34", or what `uname -r` says ("6.18.44-fc-v1272") */
	if (xs_kernel_parse(s, out) && xs_kernel_parse_uname(s, out))
		return cli_error("%s: expected a release from 5.10 to 6.18 (5.10..5.19, 6.0..6.18, optionally with a stable sublevel such as 6.18.34, or a `uname -r` string), got '%s'",
				 option, s);
	return 0;
}

/* A family of names a list option takes: CPU features (--disable) or state components (--request). */
struct name_set {
	const char *what;
	int (*by_name)(const char *name);
	unsigned count;
	const char *(*name)(unsigned i);
};

static const char *cpu_feature_name(unsigned i)
{
	return xs_cpu_feature_name((enum xs_cpu_feature)i);
}

static const char *xfeature_short_name(unsigned i)
{
	return xs_xfeature_info(i)->short_name;
}

static const struct name_set cpu_features = { "CPU feature", xs_cpu_feature_by_name, XS_CPU_FEATURE_COUNT,
					       cpu_feature_name };
static const struct name_set xfeatures = { "state component", xs_xfeature_by_name, XS_XFEATURE_MAX,
					    xfeature_short_name };

static int add_name(const char *option, const char *item, const struct name_set *set, uint64_t *mask)
{
	int i = set->by_name(item);
	char names[1024] = "";
	size_t n = 0;

	if (i < 0) {
		for (unsigned k = 0; k < set->count && n < sizeof(names); k++)
			n += (size_t)snprintf(names + n, sizeof(names) - n, " %s", set->name(k));
		return cli_error("%s: unknown %s '%s'; valid names:%s", option, set->what, item, names);
	}
	*mask |= XS_BIT(i);
	return 0;
}

/* NAME[,NAME...] into *mask: every item non-empty (strtok would skip "a,,b" and ""). */
static int add_names(const char *option, const char *list, const struct name_set *set, uint64_t *mask)
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
			ret = add_name(option, item, set, mask);
		if (!comma)
			break;
	}
	free(copy);
	return ret;
}

/* An unsigned value into a field of 1, 2, 4 or 8 bytes (enums, bools and counts alike). */
static void put_uint(void *field, size_t size, unsigned long long v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;
	uint64_t u64 = v;

	switch (size) {
	case 1: memcpy(field, &u8, 1); break;
	case 2: memcpy(field, &u16, 2); break;
	case 4: memcpy(field, &u32, 4); break;
	default: memcpy(field, &u64, 8); break;
	}
}

/* ---- the value kinds ---------------------------------------------------------- */

int cli_string(const struct cli_opt *o, const char *arg, void *field)
{
	(void)o;
	*(const char **)field = arg;
	return 0;
}

int cli_true(const struct cli_opt *o, const char *arg, void *field)
{
	(void)o;
	(void)arg;
	*(bool *)field = true;
	return 0;
}

int cli_false(const struct cli_opt *o, const char *arg, void *field)
{
	(void)o;
	(void)arg;
	*(bool *)field = false;
	return 0;
}

int cli_text(const struct cli_opt *o, const char *arg, void *field)
{
	char name[64];

	if (strlen(arg) >= o->size)
		return cli_error("%s: expected at most %zu characters, got %zu", dashed(o, name), o->size - 1,
				 strlen(arg));
	memcpy(field, arg, strlen(arg) + 1);
	return 0;
}

int cli_uint(const struct cli_opt *o, const char *arg, void *field)
{
	unsigned long long v = 0;
	char name[64];
	int ret = parse_uint(dashed(o, name), arg, o->max, &v);

	if (!ret && v < o->min)
		ret = cli_error("%s: %llu is out of range (at least %llu)", name, v, o->min);
	if (!ret)
		put_uint(field, o->size, v);
	return ret;
}

/* Item k of `total` appended at buf + n: "a, b or c", or "a|b|c" with bars. */
static size_t list_item(char *buf, size_t size, size_t n, unsigned k, unsigned total, bool bars, const char *name)
{
	if (n >= size)
		return n;
	return n + (size_t)snprintf(buf + n, size - n, "%s%s", !k ? "" : bars ? "|" : k + 1 == total ? " or " : ", ",
				    name);
}

/* The values an option takes, aliases left out. */
static void value_list(const struct cli_value *v, bool bars, char *buf, size_t size)
{
	unsigned total = 0, k = 0;
	size_t n = 0;

	for (const struct cli_value *p = v; p->name; p++)
		total += !p->alias;
	buf[0] = '\0';
	for (; v->name; v++)
		if (!v->alias)
			n = list_item(buf, size, n, k++, total, bars, v->name);
}

int cli_enum(const struct cli_opt *o, const char *arg, void *field)
{
	char name[64], list[256];

	for (const struct cli_value *v = o->values; v->name; v++) {
		if (!strcmp(arg, v->name)) {
			put_uint(field, o->size, (unsigned long long)(long long)v->value);
			return 0;
		}
	}
	value_list(o->values, o->noun, list, sizeof(list));
	if (o->noun)
		return cli_error("%s: unknown %s '%s' (expected %s)", dashed(o, name), o->noun, arg, list);
	return cli_error("%s: expected %s, got '%s'", dashed(o, name), list, arg);
}

int cli_kernel(const struct cli_opt *o, const char *arg, void *field)
{
	char name[64];

	return parse_kernel(dashed(o, name), arg, field);
}

int cli_policy(const struct cli_opt *o, const char *arg, void *field)
{
	enum xs_cet_s_policy p;
	char name[64];

	if (xs_cet_s_policy_parse(arg, &p))
		return cli_error("%s: unknown policy '%s' (expected off|guest-only|all)", dashed(o, name), arg);
	put_uint(field, o->size, p);
	return 0;
}

int cli_cpu_features(const struct cli_opt *o, const char *arg, void *field)
{
	char name[64];

	return add_names(dashed(o, name), arg, &cpu_features, field);
}

int cli_xfeatures(const struct cli_opt *o, const char *arg, void *field)
{
	char name[64];

	return add_names(dashed(o, name), arg, &xfeatures, field);
}

const struct cli_value cli_text_json[] = { { "text", OUT_TEXT, false }, { "json", OUT_JSON, false }, { 0 } };

const struct cli_value cli_compat_kinds[] = {
	{ "task", XS_COMPAT_TASK, false }, { "vcpu", XS_COMPAT_VCPU, false },
	{ "process", XS_COMPAT_TASK, true }, { "guest", XS_COMPAT_VCPU, true }, { 0 }
};

void cli_model_init(struct cli_model *m)
{
	memset(m, 0, sizeof(*m));
	xs_options_init(&m->opts);
}

/* ---- --help ---------------------------------------------------------------------- */

struct line {
	FILE *f;
	int col, indent;
};

/* One word of a usage line; a word that does not fit starts the next line. */
static void usage_word(struct line *l, const char *fmt, const char *a, const char *b)
{
	char w[256];
	int n = snprintf(w, sizeof(w), fmt, a, b);

	if (l->col + 1 + n > USAGE_WIDTH && l->col > l->indent) {
		fprintf(l->f, "\n%*s", l->indent, "");
		l->col = l->indent;
	} else {
		fputc(' ', l->f);
		l->col++;
	}
	l->col += fprintf(l->f, "%s", w);
}

/* "LEAD xstate NAME OPERANDS [--opt V]...": the words wrapped under the first. */
static void usage_lines(FILE *f, const char *lead, const char *name, const struct cli_command *c)
{
	struct line l = { f, 0, 0 };

	l.col = l.indent = fprintf(f, "%sxstate %s", lead, name) + 1;
	l.col--;
	if (c->operands)
		usage_word(&l, "%s%s", c->operands, "");
	for (const struct cli_opt *o = c->opts; o && o->store; o++) {
		if (o->required)
			usage_word(&l, o->arg ? "--%s %s" : "--%s", o->name, o->arg);
		else
			usage_word(&l, o->arg ? "[--%s %s]" : "[--%s]", o->name, o->arg);
	}
	fputc('\n', f);
}

/* "  --name META    text", the text's further lines under its first. */
static void option_list(FILE *f, const struct cli_command *c)
{
	for (const struct cli_opt *o = c->opts; o && o->store; o++) {
		const char *meta = o->meta ? o->meta : o->arg, *t = o->help, *nl;
		char head[96];
		int w = c->list_width - 2;

		if (!t)
			continue;
		snprintf(head, sizeof(head), meta ? "--%s %s" : "--%s", o->name, meta);
		fprintf(f, "  %-*s", w, head);
		if ((int)strlen(head) >= w)
			fputs("  ", f);
		for (; (nl = strchr(t, '\n')); t = nl + 1)
			fprintf(f, "%.*s\n%*s", (int)(nl - t), t, c->list_width, "");
		fprintf(f, "%s\n", t);
	}
}

static bool has_list(const struct cli_command *c)
{
	for (const struct cli_opt *o = c->opts; o && o->store; o++)
		if (o->help)
			return true;
	return false;
}

static void help_named(FILE *f, const struct cli_command *c, const char *name)
{
	char sub[64];

	if (c->subcommands) {
		for (unsigned i = 0; c->subcommands[i]; i++) {
			snprintf(sub, sizeof(sub), "%s %s", name, c->subcommands[i]->name);
			usage_lines(f, i ? "       " : "usage: ", sub, c->subcommands[i]);
		}
	} else {
		usage_lines(f, "usage: ", name, c);
	}
	if (c->usage_more)
		fprintf(f, "       %s\n", c->usage_more);
	fputc('\n', f);
	if (c->about_fn)
		c->about_fn(f);
	else if (c->about)
		fputs(c->about, f);
	if (has_list(c)) {
		fputc('\n', f);
		option_list(f, c);
	}
	if (c->footer)
		fputs(c->footer, f);
}

void cli_help(FILE *f, const struct cli_command *c)
{
	help_named(f, c, c->name);
}

/* ---- parsing ------------------------------------------------------------------------ */

/* Where a command's help comes from: a subcommand without texts shows its parent's. */
struct invocation {
	const struct cli_command *c, *help;
	char name[64];		/* "bench switch" */
};

static void show_help(FILE *f, const struct invocation *inv)
{
	help_named(f, inv->help, inv->help == inv->c ? inv->name : inv->help->name);
}

static int store(const struct cli_opt *o, const char *arg, void *args)
{
	int ret = o->store(o, arg, (char *)args + o->at);

	if (!ret && o->also)
		ret = o->store(o, arg, (char *)args + o->also - 1);
	if (!ret && o->given)
		*(bool *)((char *)args + o->given - 1) = true;
	return ret;
}

/* The options (argv permuted: operands from *first on); CLI_HELP_SHOWN after --help. */
static int parse_options(const struct invocation *inv, int argc, char **argv, void *args, uint64_t *given)
{
	const struct cli_opt *opts = inv->c->opts;
	struct option lo[CLI_MAX_OPTS + 2];
	int n = 0, ch, ret;

	for (; opts && opts[n].store && n < CLI_MAX_OPTS; n++)
		lo[n] = (struct option){ opts[n].name, opts[n].arg ? required_argument : no_argument, NULL, 256 + n };
	lo[n] = (struct option){ "help", no_argument, NULL, HELP_OPT };
	lo[n + 1] = (struct option){ NULL, 0, NULL, 0 };
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == HELP_OPT) {
			show_help(stdout, inv);
			return CLI_HELP_SHOWN;
		}
		if (ch < 256 || ch >= 256 + n) {	/* getopt said what is wrong */
			show_help(stderr, inv);
			return XS_EXIT_USAGE;
		}
		*given |= 1ull << (ch - 256);
		if ((ret = store(&opts[ch - 256], optarg, args)))
			return ret;
	}
	return 0;
}

/* Options, the rules between them, the operands' count, the required options. */
static int parse(const struct invocation *inv, int argc, char **argv, void *args)
{
	const struct cli_command *c = inv->c;
	uint64_t given = 0;
	unsigned n;
	int ret;

	if ((ret = parse_options(inv, argc, argv, args, &given)))
		return ret;
	if (c->check && (ret = c->check(args)))
		return ret;
	n = (unsigned)(argc - optind);
	if (n < c->min_operands || n > c->max_operands) {
		if (c->operands_error)
			return cli_error("%s: %s", inv->name, c->operands_error);
		return cli_error("%s: unexpected argument '%s'", inv->name, argv[optind + (int)c->max_operands]);
	}
	for (int i = 0; c->opts && c->opts[i].store; i++)
		if (c->opts[i].required && !(given & (1ull << i)))
			return cli_error("%s: %s", inv->name, c->opts[i].required);
	return 0;
}

static int run_parsed(const struct invocation *inv, int argc, char **argv)
{
	void *args = calloc(1, inv->c->args_size ? inv->c->args_size : 1);
	char prog[96];
	int ret;

	if (!args)
		return cli_error("out of memory");
	/* getopt's messages start "xstate: COMMAND:" like every other error (it prints argv[0]) */
	snprintf(prog, sizeof(prog), "%s: %s", xs_prog, inv->name);
	argv[0] = prog;
	if (inv->c->init)
		inv->c->init(args);
	ret = parse(inv, argc, argv, args);
	if (!ret)
		ret = inv->c->run(args, argc - optind, argv + optind);
	free(args);
	return ret == CLI_HELP_SHOWN ? XS_EXIT_OK : ret;
}

/* A command of subcommands: argv[1] names one. */
static int run_group(const struct invocation *inv, int argc, char **argv)
{
	const struct cli_command *c = inv->c;
	char list[256] = "";
	size_t n = 0;
	unsigned i, k;

	if (argc < 2) {
		show_help(stderr, inv);
		return XS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help")) {
		show_help(stdout, inv);
		return XS_EXIT_OK;
	}
	for (i = 0; c->subcommands[i]; i++) {
		struct invocation sub = { c->subcommands[i], c->subcommands[i], "" };

		if (strcmp(argv[1], sub.c->name))
			continue;
		if (!sub.c->about && !sub.c->about_fn)
			sub.help = c;
		snprintf(sub.name, sizeof(sub.name), "%s %s", inv->name, sub.c->name);
		return run_parsed(&sub, argc - 1, argv + 1);
	}
	for (k = 0; k < i; k++)
		n = list_item(list, sizeof(list), n, k, i, false, c->subcommands[k]->name);
	return cli_error("%s: unknown %s '%s' (expected %s)", inv->name, c->subcommand_noun, argv[1], list);
}

/*
 * The flags of every command, read before its own options: "--quiet" (no
 * progress lines) anywhere before "--", and "-h" for "--help".
 */
static int global_flags(int argc, char **argv)
{
	int n = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "--quiet")) {
			progress_quiet(true);
			continue;
		}
		argv[n++] = strcmp(argv[i], "-h") ? argv[i] : (char *)"--help";
	}
	argv[n] = NULL;
	return n;
}

int cli_run(const struct cli_command *c, int argc, char **argv)
{
	struct invocation inv = { c, c, "" };

	snprintf(inv.name, sizeof(inv.name), "%s", c->name);
	argc = global_flags(argc, argv);
	return c->subcommands ? run_group(&inv, argc, argv) : run_parsed(&inv, argc, argv);
}
