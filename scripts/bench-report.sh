#!/bin/bash
# make bench, step 2 of 2: from the results of scripts/bench-run.sh, copy
# the JSON to DOCS/bench/, draw DOCS/bench/switch.png (gnuplot) and write
# DOCS/benchmarks.md. Everything in that page comes from the JSON or from
# this machine (/proc/cpuinfo, uname), so it is regenerated, never edited.
#
#   scripts/bench-report.sh RESULTS DOCS
set -euo pipefail
res="${1:?usage: bench-report.sh RESULTS DOCS}"
docs="${2:?usage: bench-report.sh RESULTS DOCS}"
command -v jq >/dev/null || { echo "bench-report.sh needs jq (apt-get install jq)" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "bench-report.sh needs gnuplot (apt-get install gnuplot-nox)" >&2; exit 1; }
mkdir -p "$docs/bench"
cp "$res"/*.json "$docs/bench/"
data="$docs/bench"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# jq number formats: one decimal, three decimals, a percentage, a signed one-decimal.
FMT='
def dec($n): (. * pow(10; $n) | round) as $x
	| ($x | fabs | tostring | ("0" * ($n + 1 - length)) + .) as $s
	| (if $x < 0 then "-" else "" end) + $s[:-$n] + (if $n > 0 then "." + $s[-$n:] else "" end);
def f1: dec(1);
def f3: dec(3);
def pct: (. * 100 | dec(1)) + "%";
def sf1: (if . >= 0 then "+" else "" end) + f1;
'

# ---- the plot: ns per switch per case, round by round --------------------------

# One data file per panel: "round case1 case2 case3"; prints "file<TAB>title".
panel_data() {	# panel_data JSON BACKEND TAG LABEL
	local f="$1" be="$2" tag="$3" label="$4"
	jq -e --arg be "$be" '.backends[$be].available' "$f" >/dev/null || return 0
	jq -r --arg be "$be" '.backends[$be].cases as $c | range(0; .rounds) as $r
		| "\($r + 1) \($c.case1.ns_per_switch.rounds[$r]) \($c.case2.ns_per_switch.rounds[$r]) \($c.case3.ns_per_switch.rounds[$r])"' \
		"$f" >"$tmp/$tag.dat"
	printf '%s\t%s\n' "$tmp/$tag.dat" "$label, $(jq -r --arg be "$be" '.backends[$be] | "\(.save)/\(.restore)"' "$f")"
}

panels() {
	panel_data "$data/switch.json" hardware live-hw "hardware, this CPU"
	panel_data "$data/switch.json" engine live-engine "engine, this CPU"
	panel_data "$data/switch.json" engine_noopt live-noopt "engine_noopt, this CPU"
	for f in "$data"/switch-*.json; do
		tag="$(basename "$f" .json)"
		panel_data "$f" engine "$tag" "engine, ${tag#switch-}"
	done
}

plot() {
	local term=pngcairo n cols
	gnuplot -e 'set terminal pngcairo' 2>/dev/null || term=png	# gnuplot-nox without cairo
	panels >"$tmp/panels"
	if jq -e '.anchor.available' "$data/switch.json" >/dev/null; then
		jq -r 'range(0; .rounds) as $r | "\($r + 1) \(.anchor.ns_per_switch.rounds[$r])"' \
			"$data/switch.json" >"$tmp/anchor.dat"
	fi
	n=$(($(wc -l <"$tmp/panels") + 1))
	cols=$(((n + 1) / 2))
	{
		echo "set terminal $term size $((cols * 520)),860"
		echo "set output '$data/switch.png'"
		echo "set multiplot layout 2,$cols title 'xstate bench switch: ns per switch, round by round'"
		echo "set xlabel 'round'; set ylabel 'ns per switch'; set grid; set yrange [0:*]"
		echo "set termoption noenhanced; set key outside bottom center horizontal maxrows 1 font ',9'"
		if [ "$(jq .rounds "$data/switch.json")" -le 25 ]; then echo "set xtics 1"; fi
		while IFS=$'\t' read -r file title; do
			echo "set title '$title'"
			echo "plot '$file' u 1:2 w lp t 'case 1 (off)', '' u 1:3 w lp t 'case 2 (guest-only)', '' u 1:4 w lp t 'case 3 (all)'"
		done <"$tmp/panels"
		if [ -f "$tmp/anchor.dat" ]; then
			echo "set title 'anchor: pipe ping-pong on Linux $(uname -r)'"
			echo "plot '$tmp/anchor.dat' u 1:2 w lp t 'one switch'"
		fi
		echo "unset multiplot"
	} >"$tmp/plot.gp"
	gnuplot "$tmp/plot.gp"
}

# ---- the page --------------------------------------------------------------------

switch_tables() {	# switch_tables JSON
	jq -r "$FMT"'
	"| backend | case | policy | bytes/task | RFBM | save/restore | min ns | median ns | max ns | spread | IQR |",
	"|---|---|---|---:|---|---|---:|---:|---:|---:|---:|",
	(.backends | to_entries[] | select(.value.available) | .key as $be | .value as $v
		| $v.cases | to_entries[] | .value as $c
		| "| \(if .key == "case1" then $be else "" end) | \(.key[4:]) | \($c.policy) | \($c.bytes_per_task)"
		+ " | \($c.rfbm) | \(if .key == "case1" then "\($v.save)/\($v.restore)" else "" end)"
		+ " | \($c.ns_per_switch.min | f1) | \($c.ns_per_switch.median | f1) | \($c.ns_per_switch.max | f1)"
		+ " | \($c.ns_per_switch.spread | pct) | \($c.ns_per_switch.iqr | pct) |"),
	"",
	"| backend | case2/case1 | verdict | difference | case3/case1 | verdict | difference |",
	"|---|---:|---|---:|---:|---|---:|",
	(.backends | to_entries[] | select(.value.available) | .value as $v
		| "| \(.key) | \($v.ratios.case2_case1 | f3) | \($v.verdict.case2_case1) | \($v.delta_ns.case2_case1 | sf1) ns"
		+ " | \($v.ratios.case3_case1 | f3) | \($v.verdict.case3_case1) | \($v.delta_ns.case3_case1 | sf1) ns |"),
	"",
	(.backends | to_entries[] | select(.value.available | not) | "* **\(.key)**: absent — \(.value.why_absent)."),
	(.backends | to_entries[] | select(.value.available) | "* **\(.key)**: \(.value.note)."),
	(.anchor | select(.available)
		| "* **anchor** (a real switch on Linux \(.kernel_release), \(if .pinned then "both processes pinned to CPU \(.cpu)" else "not pinned" end),"
		+ " \(.round_trips) round trips per round): \(.ns_per_switch.median | f1) ns per switch"
		+ " (min \(.ns_per_switch.min | f1), max \(.ns_per_switch.max | f1), spread \(.ns_per_switch.spread | pct)).")' "$1"
}

# What the case 3 difference is worth beside a real switch on this machine.
cet_summary() {	# cet_summary MODEL_JSON ANCHOR_MEDIAN
	jq -r --argjson a "$2" "$FMT"'.backends.engine as $e | select($e.available)
		| "* \(.cpu | sub(" \\(.*"; "")): case 3 adds \($e.delta_ns.case3_case1 | sf1) ns per switch on the engine"
		+ " (case3/case1 \($e.ratios.case3_case1 | f3), \($e.verdict.case3_case1)); case 2 \($e.delta_ns.case2_case1 | sf1) ns"
		+ " (\($e.verdict.case2_case1))"
		+ (if $a > 0 then "; beside this machine'"'"'s real switch of \($a | f1) ns, case 3 is"
			+ " \($e.delta_ns.case3_case1 / $a | pct) of a switch" else "" end) + "."' "$1"
}

# This machine: CET-S in case 3 or not; without it the cases are an A/A comparison.
live_summary() {
	jq -r "$FMT"'.backends.engine as $e | select($e.available)
		| ([.backends[] | select(.available) | .cases[].ns_per_switch.iqr] | max) as $s
		| ([.backends[] | select(.available) | .verdict[]] | all(. == "within noise")) as $calm
		| if $e.cases.case1.xfeatures == $e.cases.case3.xfeatures then
			"* On this machine'"'"'s CPU the three cases have the same fpstates (the engine uses \($e.save)/\($e.restore),"
			+ " no CET supervisor state): the ratios are an A/A comparison, the noise floor of the method"
			+ " (IQRs up to \($s | pct)); "
			+ (if $calm then "all of them are within noise." else "not all are within noise: see the tables." end)
		else
			"* On this machine'"'"'s CPU case 3 adds \($e.delta_ns.case3_case1 | sf1) ns per switch on the engine"
			+ " (\($e.verdict.case3_case1)); the hardware rows cannot show CET-S (user mode)."
		end' "$data/switch.json"
}

memory_table() {
	jq -r '"| CPU model | task: off | guest-only | all | vCPU: off | guest-only | all | saved per task |",
		"|---|---:|---:|---:|---:|---:|---:|---:|",
		(.[] | "| \(.cpu) | \(.task_bytes.off) | \(.task_bytes["guest-only"]) | \(.task_bytes.all)"
		+ " | \(.vcpu_bytes.off) | \(.vcpu_bytes["guest-only"]) | \(.vcpu_bytes.all) | \(.saving_per_task) |")' \
		"$data/memory.json"
}

library_tables() {
	[ -f "$data/engine.json" ] && jq -r "$FMT"'"### The engine beside the CPU (`bench_engine`, XCR0 \(.xcr0))", "",
		"| operation | RFBM | engine ns | CPU ns | engine/CPU |", "|---|---|---:|---:|---:|",
		(.results[] | "| \(.op) | \(.rfbm) | \(.engine_ns | f1) | \(.cpu_ns | f1) | \(.ratio | dec(2)) |"), ""' \
		"$data/engine.json"
	[ -f "$data/uabi.json" ] && jq -r "$FMT"'"### UABI copies and checks beside memcpy (`bench_uabi`)", "",
		"| CPU | bytes | operation | ns | memcpy ns | ratio |", "|---|---:|---|---:|---:|---:|",
		(.results[] | "| \(.cpu) | \(.bytes) | \(.op) | \(.ns | f1) | \(.memcpy_ns | f1) | \(.ratio | dec(2)) |"), ""' \
		"$data/uabi.json"
	[ -f "$data/corpus.json" ] && jq -r "$FMT"'"### The model over the corpus (`bench_corpus`)", "",
		"\(.cpus) CPU dumps: parsing takes \(.parse_us | f1) µs per dump, the kernel'"'"'s xstate init"
		+ " \(.init_us | f1) µs per CPU; \(.cpus_per_second) CPUs per second for both.", ""' "$data/corpus.json"
	return 0
}

# The Makefile writes RESULTS/started, bench-run.sh RESULTS/finished.
elapsed() {
	local started finished
	started="$(cat "$res/started" 2>/dev/null || echo "")"
	finished="$(cat "$res/finished" 2>/dev/null || echo "")"
	[ -n "$started" ] && [ -n "$finished" ] &&
		echo "\`make bench\` took $((finished - started)) s here, from the Release build to the last benchmark."
	return 0
}

page() {
	local model anchor
	model="$(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //')"
	anchor="$(jq '.anchor.ns_per_switch.median // 0' "$data/switch.json")"
	cat <<EOF
# Benchmarks

Generated by \`make bench\` (\`scripts/bench-run.sh\`, then \`scripts/bench-report.sh\`) on
$(date -u +%Y-%m-%d); change those scripts, not this page. The raw results are in \`docs/bench/*.json\`.

**Machine:** $model ($(jq -r .cpu "$data/switch.json" | sed 's/ (live CPU)//')), $(nproc) CPUs,
Linux $(uname -r). $(elapsed)

## The CET supervisor state series' context-switch experiment

The series that made CET supervisor state (component 12, 24 bytes) guest-only measured context
switches (will-it-scale \`context_switch1\`) in three cases: **1** no CET-S (policy \`off\`), **2** CET-S
in guest fpstates only (\`guest-only\`, the default), **3** CET-S in every task (\`all\`). The
differences were within run-to-run noise, while case 2 saves 24 bytes per task that is not a vCPU.
\`xstate bench switch\` repeats the experiment on the model.

**Method.** Each case has $(jq .tasks "$data/switch.json") tasks whose fpstates are built by the library as that kernel builds
them (\`xs_system_init\` with the case's policy, \`xs_fpu_init\` per task). A switch saves the outgoing
task's registers into its fpstate and restores the incoming task's, round robin over the tasks:

* **hardware** — XSAVEC64/XRSTOR64 on this CPU in user mode, mask = the fpstate's xfeatures & XCR0 &
  user components (PKRU left out: loading another PKRU would change what this process may touch). Only
  when the model is the live CPU; supervisor state such as CET-S cannot be touched from user mode.
* **engine** — the software engine driven as the kernel drives it: XCR0 and IA32_XSS from the model,
  CPL 0, \`os_xsave()\` with RFBM = the fpstate's xfeatures and \`os_xrstor()\` with RFBM = the kernel's
  max_features, as \`restore_fpregs_from_fpstate()\` does (so restoring a task after a CET-S user resets CET-S). The kernel's own choice of
  instruction: XSAVES/XRSTORS, or XSAVEC/XRSTOR on a CPU without XSAVES. Every task's
  vector registers and its CET-S registers hold data, so nothing is skipped for being in its init
  configuration, and each task writes XMM0 while it runs.
* **engine_noopt** — the same with \`impl.init_opt\` and \`impl.modified_opt\` off.

The cases run interleaved in one process: $(jq .rounds "$data/switch.json") rounds of $(jq .switches "$data/switch.json") switches per case, the case order rotated every
round (1 2 3, 2 3 1, 3 1 2), after an untimed warm-up. Per case: ns per switch (min, median, max over
the rounds), the spread (max − min) / median and the IQR (Q3 − Q1) / median. Verdict rule: $(jq -r .noise_rule "$data/switch.json").
The **anchor** is a real switch on the live kernel: two processes pinned to one CPU pass a byte
back and forth through two pipes; ns per switch = elapsed / (2 × round trips).

### This machine: $(jq -r .cpu "$data/switch.json")

$(switch_tables "$data/switch.json")

EOF
	for f in "$data"/switch-*.json; do
		echo "### The engine on a CET-capable model: $(jq -r .cpu "$f")"
		echo
		switch_tables "$f"
		echo
	done
	cat <<EOF
### What it says

$(for f in "$data"/switch-*.json; do cet_summary "$f" "$anchor"; done)
$(live_summary)

![ns per switch per case, round by round](bench/switch.png)

## Memory per policy (\`xstate bench memory\`)

Bytes of a new task's and a new vCPU's fpstate under each policy, for every CPU fixture;
"saved per task" is what guest-only saves beside all.

$(memory_table)

## The library's speed

$(library_tables)
EOF
}

plot
page >"$docs/benchmarks.md"
echo "wrote $docs/benchmarks.md and $data/switch.png"
