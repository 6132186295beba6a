/* SPDX-License-Identifier: MIT */
/*
 * Shared pieces of the xstate command-line tool; the option parser is
 * options.h, state component names xfeature_names.h.
 */
#ifndef XS_CLI_H
#define XS_CLI_H

#include <stdbool.h>
#include <dirent.h>
#include <stdio.h>

#include <jansson.h>

#include "xstate.h"
#include "options.h"
#include "xfeature_names.h"

/* Exit statuses: like cmp(1) for the commands that compare. */
enum { XS_EXIT_OK = 0, XS_EXIT_FALSE = 1, XS_EXIT_USAGE = 2 };

extern const char *xs_prog;

/* ---- common.c: errors and output ------------------------------------------- */

/* Errors: "xstate: <msg>" on stderr (every error message has the prefix), return XS_EXIT_USAGE. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for a message that is not a usage error (the caller picks the exit status). */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "0x18e7" */
const char *cli_hex(uint64_t v, char buf[24]);
json_t *json_hex(uint64_t v);
/* Print a JSON value (indent 2, keys in insertion order) and a newline. */
int cli_print_json(json_t *v);
int cli_print_json_to(FILE *f, json_t *v);
/*
 * obj[key] = a file name. JSON strings are UTF-8: a name that is not gets
 * U+FFFD for each stray byte in obj[key] and its exact bytes, in hex, in
 * obj[key + "_bytes"].
 */
void cli_json_set_path(json_t *obj, const char *key, const char *path);

/* ---- files.c: files, standard streams, directories of dumps ----------------- */

/*
 * "-" is standard input wherever a file is read (once per command) and
 * standard output where one is written. Errors print "xstate: PATH: why"
 * and return XS_EXIT_USAGE; a directory gives "PATH: is a directory,
 * expected <expected>".
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
/* A CPUID dump file or "-", without printing: -errno and diag (cli_load_cpu prints). */
int cli_read_cpu(xs_cpu *cpu, const char *path, unsigned cpu_index, struct xs_diag *diag);
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

/* ---- model.c: the CPU and the kernel a command models -------------------------- */

/*
 * Load a CPU model: `path` NULL or "live" → the CPU this runs on; else a
 * dump file or "-", CPU `cpu_index` of it. Prints the parser's message on error.
 */
int cli_load_cpu(xs_cpu *cpu, const char *path, unsigned cpu_index);
/*
 * A host: CPU `cpu_index` of a CPUID dump (NULL or "live": this CPU) and
 * kernel options (NULL: defaults), into *out (xs_system_free). A model
 * Linux cannot boot on (halted) is refused: only `info` shows one
 * (through xs_system_new directly).
 */
int cli_load_system(xs_system **out, const char *path, unsigned cpu_index, const struct xs_options *o);
/* The same for a CPU already loaded; `path` only names it in messages. */
int cli_init_system(xs_system **out, const xs_cpu *cpu, const char *path, const struct xs_options *o);
/* A CPU model and the system Linux makes of it. */
struct cli_host {
	xs_cpu *cpu;
	xs_system *sys;		/* NULL until cli_init_system() */
};
/* The CPU allocated (empty), no system yet; cli_free_host() whatever this returns. */
int cli_alloc_host(struct cli_host *h);
void cli_free_host(struct cli_host *h);
/* The CPU model options' host: cli_load_cpu(), then cli_init_system(). */
int cli_load_host(struct cli_host *h, const struct cli_model *m);
/*
 * Request permission for the components in `request` (host or guest) and,
 * for a task, first-use the dynamic ones; prints the kernel's refusal.
 */
int cli_permit(xs_fpu *fpu, uint64_t request, bool guest);

/* xstate info --format svg: the CPU's buffer layouts drawn to scale (info_svg.c). */
int info_svg(FILE *f, const xs_system *sys);

/* The subcommands, each in its cmd_*.c (main.c lists them). */
extern const struct cli_command cli_cmd_info, cli_cmd_cpuid, cli_cmd_fpstate, cli_cmd_check, cli_cmd_convert,
	cli_cmd_decode, cli_cmd_compat, cli_cmd_baseline, cli_cmd_snapshot_plan, cli_cmd_kernels, cli_cmd_bench,
	cli_cmd_verify;

#endif
