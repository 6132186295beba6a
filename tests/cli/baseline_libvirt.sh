#!/bin/bash
# xs-test-label: fixture
# `xstate baseline --emit libvirt` is a <cpu> element libvirt accepts and
# means what the pool needs:
#   - virt-xml-validate (Debian libvirt-clients) validates it against
#     libvirt's cpu schema, and inside a minimal domain against the domain
#     schema;
#   - every feature it names is in libvirt's own CPU map
#     (/usr/share/libvirt/cpu_map/x86_features.xml), and applying the
#     element to its model as libvirt defines them (require sets the map's
#     CPUID bit, disable clears it) gives the levelled CPU of
#     `xstate baseline --format plain` in every bit that decides xsave
#     state -- except CET's, which libvirt 9.0 cannot name (the tool says so
#     on stderr, and the test checks that it does);
#   - `--emit qemu` names the same features the same way (libvirt hands
#     them to QEMU's -cpu).
source "$(dirname "$0")/lib.sh"
map=/usr/share/libvirt/cpu_map
for need in virt-xml-validate xmllint; do
	command -v "$need" >/dev/null || fail "$need is missing: scripts/install-deps.sh installs libvirt-clients and libxml2-utils"
done
[ -r "$map/x86_features.xml" ] || fail "$map/x86_features.xml is missing (Debian libvirt0, a dependency of libvirt-clients)"
d="$XS_TEST_DATA/cpuid"
make_tmp

pools=(
	"intel-sandy-bridge.plain.txt intel-ivy-bridge.plain.txt intel-haswell.instlat.txt intel-broadwell-ep.plain.txt"
	"intel-nehalem-bloomfield.plain.txt intel-sandy-bridge.plain.txt"
	"amd-zen3.instlat.txt amd-zen4.instlat.txt intel-skylake-sp.plain.txt"
	"intel-skylake-sp.plain.txt intel-cascade-lake-sp.plain.txt"
	"amd-zen4.instlat.txt amd-zen5-turin.instlat.txt amd-zen5-granite-ridge.instlat.txt"
	"intel-sapphire-rapids-ws.instlat.txt intel-emerald-rapids.instlat.txt"
)

# libvirt's map as "name leaf subleaf register mask" lines (the file has one
# <feature name=...> line, then its <cpuid .../> line)
awk -F"'" '
	/<feature name=/ { name = $2; next }
	/<cpuid / && name != "" {
		leaf = ""; sub_ = "0x00"
		for (i = 1; i < NF; i += 2) {
			key = $i; gsub(/[ <\/]|cpuid|=/, "", key)
			if (key == "eax_in") leaf = $(i + 1)
			else if (key == "ecx_in") sub_ = $(i + 1)
			else if (key ~ /^e[abcd]x$/) { reg = key; mask = $(i + 1) }
		}
		print name, leaf, sub_, reg, mask
		name = ""
	}' "$map/x86_features.xml" >"$tmp/map"
[ "$(wc -l <"$tmp/map")" -gt 150 ] || fail "read only $(wc -l <"$tmp/map") features from $map/x86_features.xml"

# The bits that decide xsave state, libvirt's names (CET's aside: libvirt 9.0 has none)
decisive="xsave avx mpx avx512f pku arch-lbr amx-tile xsaveopt xsavec xgetbv1 xsaves xfd"

# value of a map feature in a plain dump: 1 or 0
bit_in_dump() {	# FEATURE DUMPFILE
	local leaf sub reg mask line v
	read -r _ leaf sub reg mask < <(grep "^$1 " "$tmp/map") || fail "libvirt's map has no '$1'"
	line=$(awk -v l="$(printf %08x "$leaf")" -v s="$(printf %x "$sub")" '$1 == l && $2 == s' "$2")
	case "$reg" in eax) v=$(cut -d' ' -f3 <<<"$line") ;; ebx) v=$(cut -d' ' -f4 <<<"$line") ;;
	ecx) v=$(cut -d' ' -f5 <<<"$line") ;; edx) v=$(cut -d' ' -f6 <<<"$line") ;; esac
	[ -n "$v" ] && (((0x$v & mask) != 0)) && echo 1 || echo 0
}

for pool in "${pools[@]}"; do
	hosts=()
	for h in $pool; do hosts+=("$d/$h"); done
	expect_ok baseline "${hosts[@]}" --emit libvirt
	printf '%s\n' "$out" >"$tmp/cpu.xml"
	cpu_err=$err
	virt-xml-validate "$tmp/cpu.xml" cpu >"$tmp/v.out" 2>&1 || fail "$pool: the <cpu> element does not validate: $(cat "$tmp/v.out")"
	{
		echo "<domain type='kvm'><name>pool</name><memory unit='MiB'>256</memory>"
		echo "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
		cat "$tmp/cpu.xml"
		echo "</domain>"
	} >"$tmp/domain.xml"
	virt-xml-validate "$tmp/domain.xml" domain >"$tmp/v.out" 2>&1 || fail "$pool: the domain does not validate: $(cat "$tmp/v.out")"

	# the model's features, then the element's policies, as libvirt applies them
	model=$(xmllint --xpath 'string(/cpu/model)' "$tmp/cpu.xml")
	[ -r "$map/x86_$model.xml" ] || fail "$pool: libvirt's map has no model '$model'"
	declare -A on=()
	for f in $(xmllint --xpath '//model/feature/@name' "$map/x86_$model.xml" | sed "s/name=\"\([^\"]*\)\"/\1/g"); do
		on[$f]=1
	done
	n=$(xmllint --xpath 'count(/cpu/feature)' "$tmp/cpu.xml")
	qemu_flags=""
	# one <feature policy='P' name='N'/> per line, as the element was validated
	while read -r policy name; do
		grep -q "^$name " "$tmp/map" || fail "$pool: feature '$name' is not in libvirt's CPU map"
		case "$policy" in
		require) on[$name]=1; qemu_flags+=",+$name" ;;
		disable) on[$name]=0; qemu_flags+=",-$name" ;;
		*) fail "$pool: feature '$name' has policy '$policy' (expected require or disable)" ;;
		esac
	done < <(sed -n "s|^ *<feature policy='\([a-z]*\)' name='\([^']*\)'/>$|\1 \2|p" "$tmp/cpu.xml")
	[ "$(wc -w <<<"${qemu_flags//,/ }")" -eq "$n" ] || fail "$pool: read ${qemu_flags//[^,]/} of $n <feature> lines"
	expect_ok baseline "${hosts[@]}" --emit qemu
	[ "$out" = "$model$qemu_flags" ] || fail "$pool: --emit qemu ('$out') and --emit libvirt ('$model$qemu_flags') differ"
	expect_ok baseline "${hosts[@]}" --format plain
	printf '%s\n' "$out" >"$tmp/plain"
	for f in $decisive; do
		want=$(bit_in_dump "$f" "$tmp/plain")
		[ "${on[$f]:-0}" = "$want" ] || fail "$pool: libvirt's guest gets $f=${on[$f]:-0}, the levelled CPU has $f=$want"
	done
	# CET: in the pool's CPU, then libvirt 9.0 cannot show it and the tool says so
	if grep -Eq '^0000000d 1 [0-9a-f]+ [0-9a-f]+ [0-9a-f]*[1-9a-f][0-9a-f]{2} ' "$tmp/plain"; then
		grep -q 'cet_u,cet_s' <<<"$cpu_err" || fail "$pool: the pool keeps CET, and --emit libvirt did not say libvirt cannot show it"
	fi
	unset on
	echo "${pool// /+}: <cpu> with model $model and $n features validates; its xsave bits are the levelled CPU's"
done
