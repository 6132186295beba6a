/* SPDX-License-Identifier: MIT */
/* Shared pieces of the xstate command-line tool. */
#ifndef XS_CLI_H
#define XS_CLI_H

#include <stdbool.h>
#include <dirent.h>
#include <stdio.h>

#include <jansson.h>

#include "xstate.h"

/* Exit statuses: like cmp(1) for the commands that compare. */
enum { XS_EXIT_OK = 0, XS_EXIT_FALSE = 1, XS_EXIT_USAGE = 2 };

enum xs_out_format { OUT_TEXT, OUT_JSON, OUT_DMESG, OUT_CSV, OUT_SVG };

struct subcommand {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

extern const char *xs_prog;

/* Errors: "xstate: <msg>" on stderr (every error message has the prefix), return XS_EXIT_USAGE. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Load a CPU model: `path` NULL or "live" → the CPU this runs on; else a
 * dump file, CPU `cpu_index` of it. Prints the parser's message on error.
 */
int cli_load_cpu(xs_cpu *cpu, const char *path, unsigned cpu_index);
/* Parse an unsigned number (decimal or 0x hex) within [0, max]. */
int cli_parse_uint(const char *opt, const char *s, unsigned long long max, unsigned long long *out);
/* --format: allowed is a bit mask of (1 << OUT_*). */
int cli_parse_format(const char *s, unsigned allowed, enum xs_out_format *out);
/* --cet-s */
int cli_parse_policy(const char *s, enum xs_cet_s_policy *out);
/* --disable a,b,c (clearcpuid-style CPU feature names) */
int cli_parse_disable(const char *list, uint64_t *mask);
/* --request a,b (xfeature names) */
int cli_parse_xfeatures(const char *list, uint64_t *mask);
/* A --kernel style value (6.18); errors name `option`. */
int cli_parse_kernel(const char *option, const char *s, uint32_t *out);

/*
 * The CPU model options the commands share, with the same getopt codes
 * everywhere: --cpuid 'c', --cpu 'n', --cet-s 's', --disable 'd',
 * --kernel 'k'. A command lists the ones it takes in its longopts.
 */
struct cli_model {
	const char *cpuid;	/* NULL: the live CPU */
	unsigned cpu;
	struct xs_options opts;
};
#define CLI_OPT_CPUID { "cpuid", required_argument, NULL, 'c' }
#define CLI_OPT_CPU { "cpu", required_argument, NULL, 'n' }
#define CLI_OPT_CET_S { "cet-s", required_argument, NULL, 's' }
#define CLI_OPT_DISABLE { "disable", required_argument, NULL, 'd' }
#define CLI_OPT_KERNEL { "kernel", required_argument, NULL, 'k' }
void cli_model_init(struct cli_model *m);
/* True when getopt code c is a model option; *ret gets its parse status. */
bool cli_model_option(int c, const char *arg, struct cli_model *m, int *ret);

/*
 * Files and standard streams: "-" is standard input wherever a file is
 * read (once per command) and standard output where one is written.
 * Errors print "xstate: PATH: why" and return XS_EXIT_USAGE; a directory
 * gives "PATH: is a directory, expected <expected>".
 */
#define CLI_STDIN_NAME "<stdin>"
#define CLI_DUMP_MAX (16u << 20)	/* a CPUID dump is far smaller */
bool cli_is_stdin(const char *path);
/* The whole file (binary), at most max bytes. */
int cli_read_file(const char *path, const char *expected, size_t max, uint8_t **buf, size_t *len);
/* The rest of an open descriptor's bytes, as cli_read_file. */
int cli_read_fd(int fd, const char *path, const char *expected, size_t max, uint8_t **buf, size_t *len);
/* A descriptor that pread() works on: the file, or standard input kept in a temporary file. */
int cli_open_file(const char *path, const char *expected, int *fd);
/* Write buf to path ("-": standard output). */
int cli_write_file(const char *path, const void *buf, size_t len);
/* cli_load_cpu for a dump file or "-", without printing: -errno and diag. */
int cli_read_cpu(xs_cpu *cpu, const char *path, unsigned cpu_index, struct xs_diag *diag);
/*
 * Request permission for the components in `request` (host or guest) and,
 * for a task, first-use the dynamic ones; prints the kernel's refusal.
 */
int cli_permit(xs_fpu *fpu, uint64_t request, bool guest);

/* Corpus directories: which entries are dumps (README.md, *.tsv… are not). */
int cli_is_dump_name(const struct dirent *d);
bool cli_is_directory(const char *path);
/*
 * The dumps of a directory, sorted: a NULL-terminated array of paths
 * (cli_free_paths). An empty or unreadable directory is an error.
 */
int cli_list_dumps(const char *dir, char ***paths, unsigned *n);
void cli_free_paths(char **paths);
/*
 * argv with every directory from index `first` on replaced by its dumps
 * (cli_list_dumps), for commands taking several hosts (at most max of
 * them); kept until exit.
 */
int cli_expand_dirs(int *argc, char ***argv, int first, unsigned max);
/*
 * obj[key] = a file name. JSON strings are UTF-8: a name that is not gets
 * U+FFFD for each stray byte in obj[key] and its exact bytes, in hex, in
 * obj[key + "_bytes"].
 */
void cli_json_set_path(json_t *obj, const char *key, const char *path);

/* "0x18e7" */
const char *cli_hex(uint64_t v, char buf[24]);
json_t *json_hex(uint64_t v);
/* Print a JSON value (indent 2, keys in insertion order) and a newline. */
int cli_print_json(json_t *v);
int cli_print_json_to(FILE *f, json_t *v);
/* Names of the components in mask: "x87,sse,avx". */
const char *cli_xfeature_list(uint64_t mask, char *buf, size_t size);

/* xstate info --format svg: the CPU's buffer layouts drawn to scale (info_svg.c). */
int info_svg(FILE *f, const xs_system *sys);

/* The subcommands. */
int cmd_info(int argc, char **argv);
int cmd_cpuid(int argc, char **argv);
int cmd_fpstate(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_compat(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_kernels(int argc, char **argv);
int cmd_snapshot_plan(int argc, char **argv);

/* --kind task|vcpu */
int cli_parse_kind(const char *s, enum xs_compat_kind *kind);
/*
 * A host: CPU `cpu_index` of a CPUID dump (NULL or "live": this CPU) and
 * kernel options (NULL: defaults). A model Linux cannot boot on (halted)
 * is refused: only `info` shows one (through xs_system_init directly).
 */
int cli_load_system(xs_system *sys, const char *path, unsigned cpu_index, const struct xs_options *o);
/* The same for a CPU already loaded; `path` only names it in messages. */
int cli_init_system(xs_system *sys, const xs_cpu *cpu, const char *path, const struct xs_options *o);

#endif
