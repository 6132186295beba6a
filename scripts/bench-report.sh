#!/bin/bash
# make bench, step 2 of 2: from the results of scripts/bench-run.sh, copy
# the JSON to DOCS/bench/, keep this CPU's results in
# DOCS/bench/<vendor>-<family>h-<model>h.json (one file per CPU, kept
# across runs: the page compares every CPU measured so far), draw
# DOCS/bench/switch.png and DOCS/bench/engine.png (gnuplot) and write
# DOCS/benchmarks.md. Every number and every verdict in that page comes
# from the JSON (the machine from RESULTS/machine.json, written by
# bench-run.sh), so it is regenerated, never edited.
#
#   scripts/bench-report.sh RESULTS DOCS
#
# e.g. scripts/bench-report.sh build-bench/results docs (what make bench does)
set -euo pipefail
res="${1:?usage: bench-report.sh RESULTS DOCS}"
docs="${2:?usage: bench-report.sh RESULTS DOCS}"
command -v jq >/dev/null || { echo "bench-report.sh needs jq (apt-get install jq)" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "bench-report.sh needs gnuplot (apt-get install gnuplot-nox)" >&2; exit 1; }
[ -f "$res/switch.json" ] && [ -f "$res/machine.json" ] ||
	{ echo "bench-report.sh: $res has no switch.json or machine.json: run scripts/bench-run.sh first" >&2; exit 1; }
mkdir -p "$docs/bench"
# The last run's files (models no longer run must not linger); the per-CPU files stay.
rm -f "$docs/bench/"{machine,corpus,engine,uabi,memory,profile}.json "$docs/bench/"switch*.json
cp "$res"/*.json "$docs/bench/"
data="$docs/bench"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# jq number formats: n decimals, one, two, three decimals, a percentage, a signed one-decimal, hex.
FMT='
def dec($n): (. * pow(10; $n) | round) as $x
	| ($x | fabs | tostring | ("0" * ($n + 1 - length)) + .) as $s
	| (if $x < 0 then "-" else "" end) + $s[:-$n] + (if $n > 0 then "." + $s[-$n:] else "" end);
def f1: dec(1);
def f2: dec(2);
def f3: dec(3);
def pct: (. * 100 | dec(1)) + "%";
def pct2: (. * 100 | dec(2)) + "%";
def sf1: (if . >= 0 then "+" else "" end) + f1;
def hex: [recurse(if . >= 16 then (. / 16 | floor) else empty end) | . % 16
	| "0123456789abcdef"[.:.+1]] | reverse | "0x" + join("");
def caselabel: if . == "case3_init" then "3i" else .[4:] end;
# A bench_uabi row in its current shape (older results: memcpy_ns, no goal or verdict).
def uabi: .goal = (.goal // 1.3) | .baseline_ns = (.baseline_ns // .memcpy_ns)
	| .baseline = (.baseline // "memcpy of the buffer")
	| .verdict = (.verdict // (if .ratio <= .goal then "met" else "missed" end));
def anchor_median: (.anchor | select(.available) | .ns_per_switch.median) // 0;
def h2: . as $v | "0123456789abcdef" as $d | $d[($v / 16 | floor):($v / 16 | floor) + 1] + $d[($v % 16):($v % 16) + 1];
# The file name of a CPU: vendor, family, model (e.g. amd-19h-01h).
def cpukey: (.vendor | if . == "AuthenticAMD" then "amd" elif . == "GenuineIntel" then "intel"
	elif . == "HygonGenuine" then "hygon" elif . == "CentaurHauls" then "centaur"
	else ascii_downcase | gsub("[^a-z0-9]"; "") end) + "-" + (.family | h2) + "h-" + (.model | h2) + "h";
# A verdict by bench_goal_rule against goal G, from the per-round quartiles.
def verdict($g): if .ratio_q3 <= $g then "met" elif .ratio_q1 > $g then "missed" else "borderline" end;
'
# J [-s] [--arg|--argjson NAME VALUE]... PROGRAM FILE...: jq -r with the formats above.
J() {
	local opts=()
	while [[ "$1" == --arg* || "$1" == -s ]]; do
		if [ "$1" = -s ]; then
			opts+=(-s)
			shift
		else
			opts+=("$1" "$2" "$3")
			shift 3
		fi
	done
	jq -r "${opts[@]}" "$FMT$1" "${@:2}"
}

# ---- this CPU's file, and every CPU's ---------------------------------------------

# DOCS/bench/<cpu>.json: this run's machine and library benchmarks, replacing the last run on this CPU.
cpu="$(J 'cpukey' "$data/machine.json")"
optional() {	# optional FILE: its JSON, or null
	if [ -f "$1" ]; then cat "$1"; else echo null; fi
}
jq -n --arg cpu "$cpu" --argjson m "$(cat "$data/machine.json")" --argjson e "$(optional "$data/engine.json")" \
	--argjson u "$(optional "$data/uabi.json")" --argjson c "$(optional "$data/corpus.json")" \
	--argjson p "$(optional "$data/profile.json")" \
	'{cpu: $cpu, machine: $m, engine: $e, uabi: $u, corpus: $c, profile: $p, note: null}' >"$data/$cpu.json"
# Every CPU's file, this one first.
cpu_files() {
	echo "$data/$cpu.json"
	for f in "$data"/*-[0-9a-f][0-9a-f]h-[0-9a-f][0-9a-f]h.json; do
		[ -f "$f" ] && [ "$f" != "$data/$cpu.json" ] && echo "$f"
	done
	return 0
}

# ---- the plot: ns per switch per case, round by round --------------------------

# One data file per panel: "round case1 case2 case3 case3i" (NaN where absent); prints "file<TAB>title<TAB>has3i".
panel_data() {	# panel_data JSON BACKEND TAG LABEL
	local f="$1" be="$2" tag="$3" label="$4"
	jq -e --arg be "$be" '.backends[$be].available' "$f" >/dev/null || return 0
	jq -r --arg be "$be" '.backends[$be].cases as $c | range(0; .rounds) as $r
		| [$r + 1, ($c.case1, $c.case2, $c.case3, $c.case3_init | .ns_per_switch.rounds[$r] // "NaN")]
		| map(tostring) | join(" ")' "$f" >"$tmp/$tag.dat"
	printf '%s\t%s\t%s\n' "$tmp/$tag.dat" \
		"$label, $(jq -r --arg be "$be" '.backends[$be] | "\(.save)/\(.restore)"' "$f")" \
		"$(jq -r --arg be "$be" '.backends[$be].cases | has("case3_init")' "$f")"
}

panels() {
	panel_data "$data/switch.json" hardware live-hw "hardware, this CPU"
	panel_data "$data/switch.json" engine live-engine "engine, this CPU"
	panel_data "$data/switch.json" engine_noopt live-noopt "engine_noopt, this CPU"
	for f in "$data"/switch-*.json; do
		[ -f "$f" ] || continue
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
		echo "set termoption noenhanced; set key outside bottom center horizontal maxcols 2 font ',9'"
		if [ "$(jq .rounds "$data/switch.json")" -le 25 ]; then echo "set xtics 2"; fi
		while IFS=$'\t' read -r file title has3i; do
			echo "set title '$title'"
			printf "plot '%s' u 1:2 w lp t 'case 1 (off)', '' u 1:3 w lp t 'case 2 (guest-only)', '' u 1:4 w lp t 'case 3 (all, CET-S data)'" "$file"
			if [ "$has3i" = true ]; then printf ", '' u 1:5 w lp t 'case 3i (all, CET-S init)'"; fi
			echo
		done <"$tmp/panels"
		if [ -f "$tmp/anchor.dat" ]; then
			echo "set title 'anchor: pipe ping-pong on Linux $(jq -r .kernel_release "$data/machine.json")'"
			echo "plot '$tmp/anchor.dat' u 1:2 w lp t 'one switch'"
		fi
		echo "unset multiplot"
	} >"$tmp/plot.gp"
	gnuplot "$tmp/plot.gp"
}

# ---- the machine -------------------------------------------------------------------

machine() {
	J '"* **CPU:** \(.vendor) \(.model_name), family \(.family | hex) model \(.model | hex) stepping \(.stepping)"
		+ " (microcode \(.microcode)), \(.cpus) CPUs"
		+ (if (.flags_of_interest | index("hypervisor")) then "; a virtual machine" else "" end)
		+ ", shared with other builds while the benchmarks ran.",
	"* **XSAVE and related flags in /proc/cpuinfo:** \(.flags_of_interest - ["hypervisor"] | join(" "))"
		+ " (not listed: \(["xsaves", "xgetbv1", "avx512f", "pku", "ospke", "shstk", "user_shstk", "ibt", "amx_tile", "apx"]
			- .flags_of_interest | if length == 0 then "none" else join(" ") end)).",
	"* **Kernel:** \(.uname).",
	"* **Load:** 1-, 5- and 15-minute load averages \(.load_at_start | split(" ")[:3] | join(" ")) when the run started,"
		+ " \((.load_at_end // "? ? ?") | split(" ")[:3] | join(" ")) when it ended; the benchmarks took"
		+ " \((.run_finished // .run_started) - .run_started) s."' "$data/machine.json"
	elapsed
	echo
	if jq -e '.fpu_boot_lines' "$data/machine.json" >/dev/null; then
		J '(.fpu_boot_lines | map(select(test("Enabled xstate features"))) | first // "") as $en
			| ($en | capture("features (?<f>0x[0-9a-f]+), context size is (?<s>[0-9]+) bytes, using .(?<fmt>[a-z]+). format")? // null) as $e
			| (.fpu_boot_lines | map(select(test("Control-flow User"))) | length > 0) as $cu
			| (.fpu_boot_lines | map(select(test("Control-flow Kernel"))) | first // "") as $ck
			| "The kernel'"'"'s own account at boot (`dmesg | grep x86/fpu`)"
			+ (if $e then ": xstate features \($e.f), \($e.s)-byte fpstates in the \($e.fmt) format"
				+ (if $cu then "; CET user state in every task" else "" end)
				+ (if ($ck | test("KVM only")) then ", CET supervisor state for KVM guests only (the series'"'"' guest-only policy)"
				   elif $ck != "" then ", CET supervisor state in every task" else "" end)
				else "" end) + ":", "", "```", .fpu_boot_lines[], "```"' "$data/machine.json"
	else
		echo "The kernel's boot lines (\`dmesg | grep x86/fpu\`) could not be read when the benchmarks ran."
	fi
}

# The Makefile writes RESULTS/started, bench-run.sh RESULTS/finished.
elapsed() {
	local s
	s="$(make_bench_seconds)"
	[ -n "$s" ] && echo "* \`make bench\` took $s s here, from the Release build to the last benchmark."
	return 0
}

make_bench_seconds() {
	local started finished
	started="$(cat "$res/started" 2>/dev/null || echo "")"
	finished="$(cat "$res/finished" 2>/dev/null || echo "")"
	[ -n "$started" ] && [ -n "$finished" ] && echo $((finished - started))
	return 0
}

# ---- the goals -----------------------------------------------------------------------

goals() {
	echo "| goal | measured | verdict |"
	echo "|---|---|---|"
	[ -f "$data/engine.json" ] && J '.goal as $g | .results[] | select(.goal != null)
		| "| engine ≤ \($g | f1)× the CPU: \(.op) | \(.ratio | f2)× (per-round quartiles \(.ratio_q1 | f2)–\(.ratio_q3 | f2))"
		+ "\(if .note != "" then "; " + .note else "" end) | \(.verdict) |"' "$data/engine.json"
	[ -f "$data/uabi.json" ] && J '.results[] | uabi
		| (if (.op | test("valid")) then "validation" else "UABI conversion \(.op | sub(" \\(.*"; ""))" end) as $what
		| "| \($what) ≤ \(.goal | f1)× memcpy (\(.cpu | sub(".*/"; "")), \(.bytes)-byte buffer) | \(.ratio | f2)×"
		+ "\(if .ratio_q1 then " (per-round quartiles \(.ratio_q1 | f2)–\(.ratio_q3 | f2))" else "" end);"
		+ " \(.ns | f1) ns beside \(.baseline_ns | f1) ns for \(.baseline) | \(.verdict) |"' "$data/uabi.json"
	[ -f "$data/corpus.json" ] && J '"| system init < 1 ms per CPU (\(.cpus) CPU dumps) | \(.init_us | f1) µs"
		+ "\(if .init_us_q1 then " (quartiles \(.init_us_q1 | f1)–\(.init_us_q3 | f1))" else "" end)"
		+ " | \(.init_verdict // (if .init_us < 1000 then "met" else "missed" end)) |",
		"| corpus ≥ 1000 CPUs per second (parse + init) | \(.cpus_per_second) CPUs/s"
		+ "\(if .cpus_per_second_q1 then " (quartiles \(.cpus_per_second_q1)–\(.cpus_per_second_q3))" else "" end)"
		+ " | \(.cpus_per_second_verdict // (if .cpus_per_second >= 1000 then "met" else "missed" end)) |"' "$data/corpus.json"
	local s
	s="$(make_bench_seconds)"
	if [ -n "$s" ]; then
		echo "| \`make bench\` end to end < 5 minutes | $s s | $([ "$s" -lt 300 ] && echo met || echo missed) |"
	else
		J '"| `make bench` end to end < 5 minutes | the benchmarks alone: \((.run_finished // .run_started) - .run_started) s"
			+ " (no start stamp from the Makefile) | - |"' "$data/machine.json"
	fi
	echo
	[ -f "$data/engine.json" ] && J --argjson u "$(cat "$data/uabi.json" 2>/dev/null || echo '{}')" '"Verdict rules: engine — \(.goal_rule) (the rounds pair the engine with the CPU, so a"
		+ " round'"'"'s ratio cancels the load of that moment); UABI — `bench_uabi`'"'"'s own verdict"
		+ " (\(if $u.goal_rule then $u.goal_rule else "the median of its interleaved rounds against the goal" end)); corpus — the goal must hold at the unfavourable"
		+ " quartile (met), fail at the favourable one (missed), else borderline."' "$data/engine.json"
	return 0
}

# ---- the series' experiment ----------------------------------------------------------

switch_tables() {	# switch_tables JSON
	J '
	"| backend | case | policy | CET-S registers | bytes/task | RFBM | save/restore | min ns | median ns | max ns | spread | IQR |",
	"|---|---|---|---|---:|---|---|---:|---:|---:|---:|---:|",
	(.backends | to_entries[] | select(.value.available) | .key as $be | .value as $v
		| $v.cases | to_entries[] | .value as $c
		| "| \(if .key == "case1" then $be else "" end) | \(.key | caselabel) | \($c.policy) | \($c.cet_s_registers // "-")"
		+ " | \($c.bytes_per_task) | \($c.rfbm) | \(if .key == "case1" then "\($v.save)/\($v.restore)" else "" end)"
		+ " | \($c.ns_per_switch.min | f1) | \($c.ns_per_switch.median | f1) | \($c.ns_per_switch.max | f1)"
		+ " | \($c.ns_per_switch.spread | pct) | \($c.ns_per_switch.iqr | pct) |"),
	""' "$1"
	J --argjson a "$2" '
	"| backend | comparison | ratio (median of rounds) | per-round Q1–Q3 | verdict | difference | of a real switch |",
	"|---|---|---:|---|---|---:|---:|",
	(.backends | to_entries[] | select(.value.available) | .key as $be | .value as $v
		| $v.ratios | keys_unsorted[] as $k
		| "| \($be) | case \($k | sub("_case1"; "") | caselabel)/case 1 | \($v.ratios[$k] | f3)"
		+ " | \($v.ratio_quartiles[$k].q1 | f3)–\($v.ratio_quartiles[$k].q3 | f3) | \($v.verdict[$k])"
		+ " | \($v.delta_ns[$k] | sf1) ns | \(if $a > 0 then ($v.delta_ns[$k] / $a | pct2) else "-" end) |"),
	"",
	(.backends | to_entries[] | select(.value.available | not) | "* **\(.key)**: absent — \(.value.why_absent)."),
	(.backends | to_entries[] | select(.value.available) | "* **\(.key)**: \(.value.note)."),
	(.anchor | select(.available)
		| "* **anchor** (a real switch on Linux \(.kernel_release), \(if .pinned then "both processes pinned to CPU \(.cpu)" else "not pinned" end),"
		+ " \(.round_trips) round trips per round): \(.ns_per_switch.median | f1) ns per switch"
		+ " (min \(.ns_per_switch.min | f1), max \(.ns_per_switch.max | f1), IQR \(.ns_per_switch.iqr | pct), spread \(.ns_per_switch.spread | pct)).")' "$1"
}

# One line per model: what CET-S costs on the engine, beside a real switch on this machine.
what_it_says() {	# what_it_says JSON ANCHOR_MEDIAN ANCHOR_IQR
	J --argjson a "$2" --argjson iqr "$3" '.backends.engine as $e | select($e.available)
		| def cmp($k; $what): "\($what) \($e.delta_ns[$k] | sf1) ns (\($e.ratios[$k] | f3), \($e.verdict[$k])"
			+ (if $a > 0 then "; \($e.delta_ns[$k] / $a | pct2) of a real switch" else "" end) + ")";
		"* **\(.cpu | sub(" \\(.*"; ""))** (\(if .live then "this CPU" else .cpu | sub(".*\\("; "") | sub("\\)$"; "") end)),"
		+ " engine: " + cmp("case3_case1"; "case 3 (CET-S holding data) adds")
		+ (if $e.ratios.case3_init_case1 then ", " + cmp("case3_init_case1"; "case 3i (CET-S init, the usual task)") else "" end)
		+ ", " + cmp("case2_case1"; "case 2") + "."
		+ (if $a > 0 then
			([$e.delta_ns[] | fabs] | max / $a) as $m
			| " The largest is \($m | pct2) of a real switch, "
			+ (if $m <= $iqr then "within" else "outside" end)
			+ " the real switch'"'"'s own round-to-round IQR of \($iqr | pct)."
		  else "" end)' "$1"
}

hardware_says() {
	J '.backends.hardware as $h | select($h.available)
		| "* **The hardware** (user mode, so without CET-S) on this CPU: case 2/case 1 \($h.ratios.case2_case1 | f3)"
		+ " (\($h.verdict.case2_case1)), case 3/case 1 \($h.ratios.case3_case1 | f3) (\($h.verdict.case3_case1)):"
		+ " the cases differ there only in the size and place of the buffers."' "$data/switch.json"
}

switch_section() {
	local anchor iqr
	anchor="$(jq '(.anchor | select(.available) | .ns_per_switch.median) // 0' "$data/switch.json")"
	iqr="$(jq '(.anchor | select(.available) | .ns_per_switch.iqr) // 0' "$data/switch.json")"
	cat <<EOF
## The CET supervisor state series' context-switch experiment (\`xstate bench switch\`)

The series that made CET supervisor state (component 12, 24 bytes) guest-only measured context
switches (will-it-scale \`context_switch1\`) in three cases: **1** no CET-S (policy \`off\`), **2** CET-S
in guest fpstates only (\`guest-only\`, Linux 6.18's default), **3** CET-S in every task (\`all\`). The
differences were within run-to-run noise, while case 2 saves 24 bytes per task that is not a vCPU.
\`xstate bench switch\` repeats the experiment on the model and adds **case 3i**: policy \`all\`, but
the tasks never use kernel shadow stacks, so CET-S stays in its init configuration and XSAVES's init
optimisation leaves it out of the image (XSTATE_BV[12] = 0) — what case 3 would really be for most
tasks. Case 3 proper has CET-S holding data in every task, the worst case.

**Method.** Each case has $(jq .tasks "$data/switch.json") tasks whose fpstates are built by the library as that kernel builds
them (\`xs_system_new\` with the case's policy, \`xs_fpu_new\` per task). A switch saves the outgoing
task's registers into its fpstate and restores the incoming task's, round robin over the tasks:

* **hardware** — XSAVEC64/XRSTOR64 on this CPU in user mode, mask = the fpstate's xfeatures & XCR0 &
  user components (PKRU left out: loading another PKRU would change what this process may touch). Only
  when the model is the live CPU, and only cases 1–3: supervisor state such as CET-S cannot be touched
  from user mode.
* **engine** — the software engine driven as the kernel drives it: XCR0 and IA32_XSS from the model,
  CPL 0, \`os_xsave()\` with RFBM = the fpstate's xfeatures and \`os_xrstor()\` with RFBM = the kernel's
  max_features, as \`restore_fpregs_from_fpstate()\` does (so a restore puts components the fpstate lacks
  in their init configuration). The kernel's own choice of instruction: XSAVES/XRSTORS, or XSAVEC/XRSTOR
  on a CPU without XSAVES. Every task's vector registers hold data, and each task writes XMM0 while it
  runs; the CET-S registers hold data in case 3 and stay init in case 3i.
* **engine_noopt** — the same with \`impl.init_opt\` and \`impl.modified_opt\` off (the note under each
  table says what the engine's XSAVES then does with an init CET-S).

The cases run interleaved in one process: $(jq .rounds "$data/switch.json") rounds of $(jq .switches "$data/switch.json") switches per case, each round cut
into slices of $(jq '.slice // 2000' "$data/switch.json") switches per case with the case order rotated from slice to slice and round
to round, after an untimed warm-up. Per case: ns per switch (min, median, max over the rounds), the
spread (max − min) / median and the IQR (Q3 − Q1) / median. The ratios are the medians of the per-round
ratios case k / case 1, the differences those ratios in ns ((ratio − 1) × case 1's median). Verdict rule: $(jq -r .noise_rule "$data/switch.json").
The **anchor** is a real switch on the live kernel: two processes pinned to one CPU pass a byte
back and forth through two pipes; ns per switch = elapsed / (2 × round trips). The engine's times are
the software model's own; what matters is how much a case adds, beside the anchor.

### This machine: $(jq -r .cpu "$data/switch.json")

$(switch_tables "$data/switch.json" "$anchor")

EOF
	for f in "$data"/switch-*.json; do
		[ -f "$f" ] || continue
		echo "### The engine on a CET-capable model: $(jq -r .cpu "$f")"
		echo
		switch_tables "$f" "$anchor"
		echo
	done
	cat <<EOF
### What it says

$(what_it_says "$data/switch.json" "$anchor" "$iqr")
$(for f in "$data"/switch-*.json; do [ -f "$f" ] && what_it_says "$f" "$anchor" "$iqr"; done)
$(hardware_says)

![ns per switch per case, round by round](bench/switch.png)

EOF
}

# ---- memory and the library's speed ----------------------------------------------------

memory_table() {
	jq -r '"| CPU model | task: off | guest-only | all | vCPU: off | guest-only | all | saved per task |",
		"|---|---:|---:|---:|---:|---:|---:|---:|",
		(.[] | if .no_fpstates then "| \(.cpu) | no fpstates: \(.no_fpstates) | | | | | | |"
		else "| \(.cpu) | \(.task_bytes.off) | \(.task_bytes["guest-only"]) | \(.task_bytes.all)"
		+ " | \(.vcpu_bytes.off) | \(.vcpu_bytes["guest-only"]) | \(.vcpu_bytes.all) | \(.saving_per_task) |" end)' \
		"$data/memory.json"
}

library_tables() {
	[ -f "$data/engine.json" ] && J '"### The engine beside the CPU, a memcpy and QEMU (`bench_engine`, XCR0 \(.xcr0))", "",
		"\(.rounds) rounds in \(.seconds | f1) s (cap \(.cap_seconds | f1) s), on \(.layouts // 1) buffer layouts in turn;"
		+ " in every round each row runs about \(.chunk_us) µs on the engine, as long on the CPU and as long as a memcpy,"
		+ " back to back, rows and sides rotated. ns: medians over the rounds; ratios: the medians of the per-round ratios;"
		+ " verdict: engine/CPU against ≤ \(.goal | f1)×. \(.memcpy_note // "")"
		+ (if .qemu.available then " QEMU: the same row'"'"'s instructions under `\(.qemu.command)` (its XCR0 \(.qemu.xcr0)),"
			+ " this program re-run there in the same `make bench`, median of \(.qemu.rounds) rounds; - where QEMU lacks the instruction."
		   else " QEMU: not measured (\(.qemu.why_absent // "an older run"))." end), "",
		"| operation | RFBM | engine ns | CPU ns | engine/CPU | per-round Q1–Q3 | verdict | bytes | memcpy ns | engine/memcpy | QEMU ns | engine/QEMU |",
		"|---|---|---:|---:|---:|---|---|---:|---:|---:|---:|---:|",
		(.goal as $g | .results[] | "| \(.op) | \(.rfbm) | \(.engine_ns | f1) | \(.cpu_ns | f1) | \(.ratio | f2)"
		+ " | \(.ratio_q1 | f2)–\(.ratio_q3 | f2) | \(verdict($g)) | \(.memcpy_bytes // "-")"
		+ " | \(if .memcpy_ns then (.memcpy_ns | f1) else "-" end) | \(if .engine_memcpy_ratio then (.engine_memcpy_ratio | f2) else "-" end)"
		+ " | \(if .qemu_ns then (.qemu_ns | f1) + (if .qemu_rfbm != .rfbm then " (RFBM \(.qemu_rfbm))" else "" end) else "-" end)"
		+ " | \(if .engine_qemu_ratio then (.engine_qemu_ratio | f3) else "-" end) |"),
		"", "\(.deferral_note) \(if .xinuse_deferred then "It applies to this CPU'"'"'s model (AMD):"
		+ " the XRSTOR rows alone flatter the engine." else "It does not apply to this CPU'"'"'s model (XINUSE is set on load)." end)", "",
		(select(.qemu.available) | [.results[] | select(.qemu_ns)] as $q | select($q | length > 0)
		| "**The peer.** Under QEMU'"'"'s TCG the same instructions take \([$q[].qemu_ns] | min | f1)–\([$q[].qemu_ns] | max | f1) ns"
		+ " (\([$q[] | .qemu_ns / .cpu_ns] | min | f1)–\([$q[] | .qemu_ns / .cpu_ns] | max | f1)× this CPU),"
		+ " the engine \([$q[].engine_ns] | min | f1)–\([$q[].engine_ns] | max | f1) ns: \([$q[].engine_qemu_ratio] | min | f3)–\([$q[].engine_qemu_ratio] | max | f3)× QEMU'"'"'s time"
		+ " for the rows QEMU runs. An emulator that called the engine instead of its helpers would save most of each instruction'"'"'s cost.", "")' \
		"$data/engine.json"
	[ -f "$data/uabi.json" ] && J '"### UABI copies and checks beside memcpy (`bench_uabi`)", "",
		"The live CPU, the AMX model, and one CPU fixture per kind of task buffer (UABI size and kernel format, the first"
		+ " fixture of each in name order): every buffer size the fixtures have.", "",
		"| CPU | bytes | kernel format | operation | ns | baseline | baseline ns | ratio | per-round Q1–Q3 | goal | verdict |",
		"|---|---:|---|---|---:|---|---:|---:|---|---|---|",
		(.results[] | uabi | "| \(.cpu | sub(".*/"; "")) | \(.bytes) | \(.format // "-") | \(.op) | \(.ns | f1) | \(.baseline) | \(.baseline_ns | f1)"
		+ " | \(.ratio | f2) | \(if .ratio_q1 then "\(.ratio_q1 | f2)–\(.ratio_q3 | f2)" else "-" end)"
		+ " | ≤ \(.goal | f1) | \(.verdict) |"), ""' "$data/uabi.json"
	[ -f "$data/corpus.json" ] && J '"### The model over the corpus (`bench_corpus`)", "",
		"\(.cpus) CPU dumps, \(.rounds // "?") passes: parsing takes \(.parse_us | f1) µs per dump, the kernel'"'"'s xstate init"
		+ " \(.init_us | f1) µs per CPU; \(.cpus_per_second) CPUs per second for both (medians over the passes).", ""' \
		"$data/corpus.json"
	return 0
}

# ---- every CPU measured so far --------------------------------------------------------

cross_cpu() {
	local files
	mapfile -t files < <(cpu_files)
	J -s --arg now "$cpu" '
	def cell($g): if . == null then "-" else "\(.ratio | f2) (Q3 \(.ratio_q3 | f2)) \(verdict($g))" end;
	def ulabel: "\(if .cpu == "live CPU" then "live CPU" else (.cpu | sub(".*/"; "")) end), \(.bytes) B\(if .format then ", " + .format else "" end)";
	def uop: .op | sub(" \\(.*"; "");
	. as $cpus |
	"## Every CPU measured so far", "",
	"`make bench` keeps each CPU'"'"'s results in `docs/bench/<vendor>-<family>h-<model>h.json` (the last run on that CPU"
	+ " replaces its file; the others stay). Verdicts are recomputed here against today'"'"'s goals by the quartile rule:"
	+ " the engine ≤ 1.0× the CPU, every UABI copy ≤ 1.3× a memcpy of the buffer. Engine/memcpy and engine/QEMU: the"
	+ " XSAVE64 full-state row. This run: `\($now)`.", "",
	"| CPU file | CPU | measured | code | XCR0 | engine ≤ 1.0× CPU | worst engine/CPU Q3 | engine/memcpy | engine/QEMU | UABI ≤ 1.3× memcpy | worst UABI Q3 |",
	"|---|---|---|---|---|---|---:|---:|---:|---|---:|",
	($cpus[] | (.engine.results // []) as $e | (.uabi.results // [] | map(uabi)) as $u
		| ($e | map(select(.op == "XSAVE64 full state")) | first) as $x
		| "| `\(.cpu)`\(if .note then " (earlier code)" else "" end) | \(.machine.model_name), family \(.machine.family | hex) model \(.machine.model | hex)"
		+ "\(if (.machine.flags_of_interest | index("hypervisor")) then " (VM)" else "" end) | \(.machine.date) | \(.machine.commit // "?")"
		+ " | \(.engine.xcr0 // "-") | \([$e[] | select(verdict(1.0) == "met")] | length) of \($e | length)"
		+ " | \(if ($e | length) > 0 then ([$e[].ratio_q3] | max | f2) else "-" end)"
		+ " | \(if $x.engine_memcpy_ratio then ($x.engine_memcpy_ratio | f2) else "-" end)"
		+ " | \(if $x.engine_qemu_ratio then ($x.engine_qemu_ratio | f3) else "-" end)"
		+ " | \([$u[] | select(.op | test("valid") | not) | select(verdict(1.3) == "met")] | length) of \([$u[] | select(.op | test("valid") | not)] | length)"
		+ " | \(if ($u | length) > 0 then ([$u[] | select(.op | test("valid") | not) | .ratio_q3 // .ratio] | max | f2) else "-" end) |"),
	"",
	($cpus[] | select(.note) | "* `\(.cpu)`: \(.note)."),
	"",
	"### Engine / CPU on every CPU", "",
	"Median of the per-round ratios, their upper quartile, the verdict against ≤ 1.0.", "",
	"| operation | " + ([$cpus[].cpu] | join(" | ")) + " |",
	"|---|" + ([$cpus[] | "---"] | join("|")) + "|",
	(([$cpus[] | (.engine.results // [])[].op] | reduce .[] as $o ([]; if index([$o]) then . else . + [$o] end))[] as $op
		| "| \($op) | " + ([$cpus[] | (.engine.results // []) | map(select(.op == $op)) | first | cell(1.0)] | join(" | ")) + " |"),
	"",
	"![engine / CPU per operation on every CPU measured](bench/engine.png)", "",
	"### UABI copies / memcpy on every CPU", "",
	"Median of the per-round ratios, their upper quartile, the verdict against ≤ 1.3; a buffer is the live CPU'"'"'s or a CPU fixture'"'"'s task buffer, timed on the CPU of the column.", "",
	"| buffer | operation | " + ([$cpus[].cpu] | join(" | ")) + " |",
	"|---|---|" + ([$cpus[] | "---"] | join("|")) + "|",
	(([$cpus[] | (.uabi.results // [])[] | uabi | select(.op | test("valid") | not) | [ulabel, uop]]
		| reduce .[] as $k ([]; if index([$k]) then . else . + [$k] end))[] as $k
		| "| \($k[0]) | \($k[1]) | " + ([$cpus[] | (.uabi.results // []) | map(uabi | select(ulabel == $k[0] and uop == $k[1])) | first | cell(1.3)] | join(" | ")) + " |"),
	""' "${files[@]}"
}

# ---- the engine's profile ---------------------------------------------------------------

profile_section() {
	local before="$data/profile-before.json" now="$data/profile.json"
	[ -f "$now" ] || [ -f "$before" ] || return 0
	echo "**Profile (instruction counts).** Times on a shared machine move from run to run; instruction counts do not."
	echo "\`scripts/bench-profile.sh\` runs \`bench_engine --profile ROW\` under valgrind's callgrind on CPU models from the"
	echo "fixtures (callgrind answers CPUID with its own CPU) and counts the instructions per operation, the bench driver's"
	echo "few dozen included. What the profile of the code before issue 17 showed, and what was done:"
	echo
	if [ -f "$before" ]; then
		J '"* The x87 image was built byte by byte (`xs_store_x87`: \(.top_functions | map(select(.function == "xs_store_x87")) | first | .instructions)"
			+ " instructions of XSAVE64'"'"'s \(.rows | map(select(.op == "XSAVE64 full state")) | first | .instructions) on the \(.rows[0].cpu | sub("\\..*"; "")) model):"' "$before"
	else
		echo "* The x87 image was built byte by byte (\`xs_store_x87\`, the largest part of XSAVE64):"
	fi
	echo "  the abridged tag word bit by bit, each ST slot as a 10-byte memcpy and a 6-byte memset. Now bit operations for the tag"
	echo "  word, two 8-byte stores per slot, no rotation when TOP = 0; FXRSTOR's tags without branches on the data, none at"
	echo "  all for an empty stack; \`xs_x87_is_init\` on 8-byte words."
	echo "* Layout arithmetic on every instruction (\`xs_std_size\`, \`xs_cmp_offsets\` twice per compacted XRSTOR): now a plan per"
	echo "  format mask, cached in the machine (\`struct xs_engine_plans\`): offsets, size, and the components as runs that are"
	echo "  contiguous both in the buffer and in \`xs_regs\`, so a save or restore is one memcpy per run."
	echo "* GCC turned the XMM copy (128 or 256 bytes, a size it could bound) into \`rep movsq\`, which starts slowly on AMD:"
	echo "  now the C library's memcpy (\`xs_copy\`). \`xs_regs\` is padded so every vector component starts at a multiple of 64"
	echo "  from the machine (copies on aligned vectors; a misaligned source made them twice as slow)."
	echo "* XINUSE by value (AMD) was evaluated through the public \`xs_component_is_init\` per component; now inlined in"
	echo "  \`xs_machine_xinuse\`, and saves skip the call when nothing is stale."
	echo "* UABI copies: one precomputed plan per kernel buffer shape (\`xs_buffer_layout.to_uabi\`, \`.from_uabi\`, built at"
	echo "  init; four shapes, an AMX task's enlarged buffer among them: without it every AMX copy took the general path, 2.1x)."
	echo "  On AVX hosts the plans run in leaf functions with 32-byte moves (\`src/common/wide.h\`): no C library call per"
	echo "  piece, no 16-byte moves, nothing on the stack. Small buffers were bound by stores and instructions: the live"
	echo "  832-byte copies went from 187/188 to 131/136 instructions a call (memcpy of the buffer: 120), 1.27x/1.44x to ~1.0x."
	echo
	J -s 'map(select(. != null)) as $p | ($p | map(.rows) | add | map(.cpu + " " + .xcr0) | unique) as $cpus
		| "| operation | " + ([$cpus[] as $c | $p[] | "\($c | sub("\\.[a-z-]*\\.txt"; "")): \(.label)"] | join(" | ")) + " |",
		"|---|" + ([$cpus[] as $c | $p[] | "---:"] | join("|")) + "|",
		(($p | map(.rows) | add | map(.op) | reduce .[] as $o ([]; if index([$o]) then . else . + [$o] end)) as $ops | $ops[] as $op
		| "| \($op) | " + ([$cpus[] as $c | $p[] | (.rows | map(select(.op == $op and (.cpu + " " + .xcr0) == $c)) | first | .instructions // "-")] | map(tostring) | join(" | ")) + " |"),
		"", ($p[] | "Where XSAVE64 of the full state spends them (\(.label), \(.top_functions_of); self instructions per operation): "
		+ ([.top_functions[] | "`\(.function)` \(.instructions)"] | join(", ")) + ".")' \
		$( [ -f "$before" ] && echo "$before" ) $( [ -f "$now" ] && echo "$now" )
	echo
}

page() {
	cat <<EOF
# Benchmarks

Generated by \`make bench\` (\`scripts/bench-run.sh\`, then \`scripts/bench-report.sh\`) on
$(jq -r .date "$data/machine.json"); change those scripts, not this page. The raw results are in \`docs/bench/*.json\`.

## The machine

$(machine)

## Goals

$(goals)

**Method, for every benchmark.** Whatever is compared runs side by side in one process, in
interleaved rounds (the order rotated from round to round), so a burst of load from the rest of the
machine hits both sides of a comparison alike; results are medians over the rounds, their spread is
shown as quartiles or the IQR, and no benchmark's time is checked by a unit test. Each benchmark caps
its own running time, so \`make bench\` stays well under five minutes. The load that stays for a whole
run does not cancel: the engine's times rise more than the CPU's when another build shares the core,
so its ratios are a little higher on a busy machine (see the load above).

$(profile_section)

$(cross_cpu)

$(switch_section)

## Memory per policy (\`xstate bench memory\`)

Bytes of a new task's and a new vCPU's fpstate under each policy, for every CPU fixture;
"saved per task" is what guest-only saves beside all.

$(memory_table)

## The library's speed

$(library_tables)
EOF
}

# ---- the engine beside the CPU on every CPU: a bar per CPU and operation ------------

engine_plot() {
	local files term=pngcairo n
	mapfile -t files < <(cpu_files)
	gnuplot -e 'set terminal pngcairo' 2>/dev/null || term=png
	# rows: the operations of this CPU's run; columns: every CPU's median engine/CPU ratio
	jq -rs '(.[0].engine.results | map(.op)) as $ops | . as $cpus | $ops[] as $op
		| [$op | gsub(" "; "_")] + [$cpus[] | ((.engine.results // []) | map(select(.op == $op)) | first | .ratio) // "NaN"]
		| map(tostring) | join(" ")' "${files[@]}" >"$tmp/engine.dat"
	n=${#files[@]}
	{
		echo "set terminal $term size 1100,560"
		echo "set output '$data/engine.png'"
		echo "set title 'bench_engine: engine / CPU per operation (median of the per-round ratios; goal <= 1.0)' noenhanced"
		echo "set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1"
		echo "set ylabel 'engine / CPU'; set yrange [0:*]; set grid ytics; set xtics rotate by 30 right font ',8' noenhanced; set bmargin 9"
		echo "set key outside top center horizontal noenhanced"
		printf "plot "
		for i in $(seq 1 "$n"); do
			[ "$i" -gt 1 ] && printf ", "
			printf "'%s' u %d:xtic(1) t '%s'" "$tmp/engine.dat" $((i + 1)) \
				"$(J '"\(.cpu) \(.machine.model_name) (\(.machine.date)\(if .note then ", earlier code" else "" end))"' "${files[$((i - 1))]}")"
		done
		echo ", 1.0 w l lw 2 dt 2 lc rgb 'red' t 'goal'"
	} >"$tmp/engine.gp"
	gnuplot "$tmp/engine.gp"
}

plot
engine_plot
# The page's pieces run in command substitutions, where set -e does not reach: any message is a failure.
page >"$tmp/page.md" 2>"$tmp/errors"
if [ -s "$tmp/errors" ]; then
	cat "$tmp/errors" >&2
	echo "bench-report.sh: $docs/benchmarks.md not written" >&2
	exit 1
fi
mv "$tmp/page.md" "$docs/benchmarks.md"
echo "wrote $docs/benchmarks.md, $data/$cpu.json, $data/switch.png and $data/engine.png"
