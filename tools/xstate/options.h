/* SPDX-License-Identifier: MIT */
/*
 * The option parser every subcommand shares (options.c).
 *
 * A subcommand is a table, struct cli_command: its options, what it takes
 * besides them (operands), its texts, and run(). Each option names how its
 * value is read (a cli_store_fn: one home per rule, below) and the field of
 * the command's own argument struct it fills (CLI_FIELD). cli_run() parses
 * argv against the table, reports every error the same way ("xstate: ...",
 * exit XS_EXIT_USAGE), prints --help from the same table, and calls run()
 * with the filled struct: the help cannot name an option the command does
 * not take, nor miss one it does.
 */
#ifndef XS_CLI_OPTIONS_H
#define XS_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xstate.h"

struct cli_opt;

/* Read an option's value into its field: 0, or XS_EXIT_USAGE after the message. */
typedef int cli_store_fn(const struct cli_opt *o, const char *arg, void *field);

/* One value of an enumerated option; an alias is accepted but not listed in errors. */
struct cli_value {
	const char *name;
	int value;
	bool alias;
};

struct cli_opt {
	const char *name;		/* --NAME */
	cli_store_fn *store;		/* how the value is read; NULL ends a table */
	size_t at, size;		/* the field (CLI_FIELD) */
	size_t also;			/* a second field it fills, as offset + 1 (CLI_ALSO); 0: none */
	size_t given;			/* a bool set when the option is given, as offset + 1 (CLI_GIVEN) */
	const char *arg;		/* the value in the usage line ("text|json"); NULL: takes none */
	const char *meta;		/* the value in the option list ("F"); NULL: arg */
	const char *help;		/* the option list's text, lines after the first indented; NULL: not listed */
	const char *required;		/* the error when it is missing ("CMD: " in front); NULL: optional */
	unsigned long long min, max;	/* cli_uint */
	const struct cli_value *values;	/* cli_enum: up to the entry whose name is NULL */
	const char *noun;		/* cli_enum errors: "unknown NOUN 'x' (expected a|b)"; NULL:
					   "expected a or b, got 'x'" */
};

#define CLI_FIELD(type, member) .at = offsetof(type, member), .size = sizeof(((type *)0)->member)
#define CLI_ALSO(type, member) .also = offsetof(type, member) + 1
#define CLI_GIVEN(type, member) .given = offsetof(type, member) + 1

/* The value kinds (options.c), each with its error messages. */
cli_store_fn cli_string;	/* const char *: the argument itself (a path, a name) */
cli_store_fn cli_true;		/* bool: set by a flag */
cli_store_fn cli_false;		/* bool: cleared by a flag (--no-anchor) */
cli_store_fn cli_text;		/* char[size]: a copy, at most size - 1 characters */
cli_store_fn cli_uint;		/* an unsigned integer field: decimal or 0x hex, within [min, max] */
cli_store_fn cli_enum;		/* an enum or int field: one of `values` */
cli_store_fn cli_kernel;	/* uint32_t: a release (6.18, 6.18.34, `uname -r`) */
cli_store_fn cli_policy;	/* enum xs_cet_s_policy: off|guest-only|all */
cli_store_fn cli_cpu_features;	/* uint64_t |= clearcpuid-style CPU feature names, NAME[,NAME...] */
cli_store_fn cli_xfeatures;	/* uint64_t |= state component names, NAME[,NAME...] */

/*
 * The CPU model options most commands share (--cpuid, --cpu, --cet-s,
 * --disable, --kernel, --cmdline), read into a struct cli_model member of
 * the command's arguments. Each command words their help its own way.
 */
struct cli_model {
	const char *cpuid;	/* NULL: the live CPU */
	unsigned cpu;
	struct xs_options opts;
};
void cli_model_init(struct cli_model *m);
#define CLI_MODEL_CPUID(type, m) .name = "cpuid", .store = cli_string, CLI_FIELD(type, m.cpuid)
#define CLI_MODEL_CPU(type, m) .name = "cpu", .store = cli_uint, CLI_FIELD(type, m.cpu), .max = CLI_CPU_MAX
#define CLI_MODEL_CET_S(type, m) .name = "cet-s", .store = cli_policy, CLI_FIELD(type, m.opts.cet_s)
#define CLI_MODEL_DISABLE(type, m) .name = "disable", .store = cli_cpu_features, CLI_FIELD(type, m.opts.clear_features)
#define CLI_MODEL_KERNEL(type, m) .name = "kernel", .store = cli_kernel, CLI_FIELD(type, m.opts.kernel)
#define CLI_MODEL_CMDLINE(type, m) .name = "cmdline", .store = cli_text, CLI_FIELD(type, m.opts.cmdline)
#define CLI_CPU_MAX 4095	/* --cpu N of a dump */

/* --format: the output formats; each command lists the ones it writes. */
enum xs_out_format { OUT_TEXT, OUT_JSON, OUT_DMESG, OUT_CSV, OUT_SVG, OUT_PLAIN, OUT_MARKDOWN };
#define CLI_FORMAT(type, member, formats) .name = "format", .store = cli_enum, CLI_FIELD(type, member), \
					  .values = formats, .noun = "format"
extern const struct cli_value cli_text_json[];	/* text|json, the common pair */

/* --kind task|vcpu (process, guest): whose state, for fpstate, compat and baseline. */
extern const struct cli_value cli_compat_kinds[];
#define CLI_COMPAT_KIND(type, member) .name = "kind", .store = cli_enum, CLI_FIELD(type, member), \
				      .values = cli_compat_kinds

struct cli_command {
	const char *name;		/* "info"; a subcommand its own word ("memory") */
	const char *summary;		/* its line in `xstate --help` */
	/* a command made of subcommands (bench): the table, and what one is called in errors */
	const struct cli_command *const *subcommands;
	const char *subcommand_noun;
	/* the options, and the struct they fill: init() sets the defaults on a zeroed one */
	const struct cli_opt *opts;
	size_t args_size;
	void (*init)(void *args);
	/* rules between options, checked before the operands are counted; NULL: none */
	int (*check)(void *args);
	/* the operands: their usage words, how many, the error for another count */
	const char *operands;
	unsigned min_operands, max_operands;
	const char *operands_error;	/* NULL: "CMD: unexpected argument 'X'" */
#define CLI_ANY (~0u)			/* max_operands: no limit */
	int (*run)(void *args, int argc, char **argv);
	/* --help: usage lines, then about (or about_fn), the option list, the footer */
	const char *usage_more;		/* another form of the command, a usage line of its own */
	const char *about;
	void (*about_fn)(FILE *f);
	int list_width;			/* where the option list's texts start */
	const char *footer;
	/* a subcommand without texts of its own shows its parent's help */
};

/*
 * Run a command: argv[0] is its name. The flags every command takes are
 * read here first: --quiet (no progress lines, anywhere before "--") and
 * -h, which is --help. Returns the exit status.
 */
int cli_run(const struct cli_command *c, int argc, char **argv);
/* The command's --help. */
void cli_help(FILE *f, const struct cli_command *c);

#endif
