# Common helpers of the lab scripts.
# shellcheck shell=bash

# The distribution's tools, whatever the caller's PATH finds first (a
# python3 shim in front of /usr/bin costs a second a start): everything
# the lab runs comes from the packages lab/setup-host installs.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$LAB_DIR")
# Downloads, unpacked trees, builds and ccache live outside the repository
# so that a fresh clone reuses them and nothing of DPDK or Linux is committed.
CACHE=${VDLAB_CACHE:-/var/cache/vfio-dmabuf-lab}
JOBS=${VDLAB_JOBS:-$(nproc)}

# shellcheck source=lab/versions.sh
. "$LAB_DIR/versions.sh"

export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-10G}
# Kernel and DPDK builds embed the source path; the trees are always
# unpacked at the same place, so the hashes stay stable across runs.
export CCACHE_NOHASHDIR=1

log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 needs root (apt, /dev/kvm-less qemu, mounts): run it as root"
}

sha256_check() { # file expected
	local got
	got=$(sha256sum "$1" | cut -d' ' -f1)
	[ -n "$2" ] || die "no pinned sha256 for $(basename "$1") (got $got): pin it in lab/versions.sh"
	[ "$got" = "$2" ] || die "sha256 mismatch for $1: expected $2, got $got"
}

# A private apt configuration: bookworm (binaries and deb-src) and sid
# binaries pinned to 50, from the Debian archive the machine's own apt
# sources name (a local mirror or proxy works as for apt itself).  The
# machine's own sources are never touched, so nothing on the host can be
# installed or upgraded from sid.
APT_PRIV=$CACHE/apt
apt_priv() { # apt-get|apt-cache args...
	local tool=$1
	shift
	"$tool" -q -o Dir::Etc::SourceList="$APT_PRIV/sources.list" \
		-o Dir::Etc::SourceParts="$APT_PRIV/empty.d" \
		-o Dir::Etc::Preferences="$APT_PRIV/preferences" \
		-o Dir::Etc::PreferencesParts="$APT_PRIV/empty.d" \
		-o Dir::State::Lists="$APT_PRIV/lists" \
		-o Dir::Cache="$APT_PRIV/cache" \
		-o APT::Sandbox::User=root \
		"$@"
}

# debian_archive_uri: the URI of the first source of the machine that
# serves bookworm itself (not -security, -updates), in one-line or deb822
# form.
debian_archive_uri() {
	local f uri
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		case $f in
		*.sources) uri=$(awk '
			function flush() { if (!done && deb && suite && uri != "") { print uri; done = 1; exit } deb = suite = 0; uri = "" }
			/^[ \t]*$/ { flush(); next }
			/^[ \t]*#/ { next }
			tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite = 1 }
			tolower($1) == "enabled:" && tolower($2) == "no" { deb = 0; uri = "x"; suite = 0 }
			END { flush() }' "$f") ;;
		*) uri=$(sed -nE 's/^[ \t]*deb[ \t]+(\[[^]]*\][ \t]+)?([^ \t]+)[ \t]+bookworm[ \t].*/\2/p' "$f" |
			head -1) ;;
		esac
		[ -n "$uri" ] && { echo "${uri%/}"; return 0; }
	done
	return 1
}

apt_priv_update() {
	local stamp=$APT_PRIV/updated uri key=/usr/share/keyrings/debian-archive-keyring.gpg
	uri=$(debian_archive_uri) ||
		die "no Debian bookworm source in /etc/apt/sources.list{,.d}: the lab fetches Debian's packages from the archive the machine uses (add its bookworm line)"
	[ -f "$key" ] || die "$key is missing: install debian-archive-keyring"
	mkdir -p "$APT_PRIV/empty.d" "$APT_PRIV/lists/partial" "$APT_PRIV/cache/archives/partial"
	cat > "$APT_PRIV/sources.list.new" <<EOS
deb-src [signed-by=$key] $uri bookworm main
deb [arch=amd64 signed-by=$key] $uri bookworm main
deb [arch=amd64 signed-by=$key] $uri sid main
EOS
	cat > "$APT_PRIV/preferences" <<EOS
Package: *
Pin: release n=sid
Pin-Priority: 50
EOS
	# Refresh at most once a day, or when the archive changed: the pins,
	# not the index, decide what we get.
	if ! cmp -s "$APT_PRIV/sources.list.new" "$APT_PRIV/sources.list"; then
		mv "$APT_PRIV/sources.list.new" "$APT_PRIV/sources.list"
		rm -f "$stamp"
	fi
	rm -f "$APT_PRIV/sources.list.new"
	if [ -z "$(find "$stamp" -mtime -1 2>/dev/null)" ]; then
		log "updating the private apt index (bookworm deb-src, sid) from $uri"
		apt_priv apt-get update >/dev/null || die "apt-get update of the private index ($uri) failed"
		touch "$stamp"
	fi
}

# make in the lab's Linux tree, for build variant $1 (lab), with
# ccache and reproducible build stamps
kernel_make() { # variant make-args...
	local variant=$1
	shift
	make -s -C "$CACHE/linux/src" O="$CACHE/linux/build-$variant" \
		CC="ccache gcc" HOSTCC="ccache gcc" LOCALVERSION="-$variant" \
		KBUILD_BUILD_TIMESTAMP="$LINUX_SOURCE_VERSION" \
		KBUILD_BUILD_USER=lab KBUILD_BUILD_HOST=lab "$@"
}

# stock_moddir 7.2|6.1: the unpacked module directory of a stock kernel.
stock_moddir() {
	local d
	for d in "$CACHE/stock/$1"/usr/lib/modules/* "$CACHE/stock/$1"/lib/modules/*; do
		[ -d "$d/kernel" ] && { echo "$d"; return 0; }
	done
	die "stock kernel $1 is not unpacked: run lab/fetch stock"
}

# stock_vmlinuz 7.2|6.1
stock_vmlinuz() {
	local m f
	m=$(stock_moddir "$1")
	for f in "$m/vmlinuz" "$CACHE/stock/$1/boot/vmlinuz-${m##*/}"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	die "no vmlinuz for the stock $1 kernel"
}

# The counting plugin's -plugin argument for BIN, a PIE program the guest
# runs with ASLR off (loaded at 0x555555554000): the run marker (main) and
# the burst functions of the example and em PMDs, each as
# NAME:ADDR:SIZE:OFFSET, and its DMA memory (lab/qemu-plugin/vdlab_count.c):
# DPDK maps its hugepages from --base-virtaddr up (COUNT_DMA_BASE, the
# suite's count group passes it), far below the program and its stacks.
COUNT_DMA_BASE=0x100000000
count_plugin_args() { # plugin bin out
	local sym kind addr size seg_off seg_addr syms
	local base=0x555555554000 args="file=$1,out=$3,bin=$2"
	read -r seg_off seg_addr < <(readelf -lW "$2" |
		awk '$1 == "LOAD" && $7 == "R" && $8 == "E" {print $2, $3; exit}')
	[ -n "$seg_addr" ] || die "no text segment in $2"
	args+=$(printf ',dma=0x%x:0x%x' $((COUNT_DMA_BASE)) $((0x500000000000 - COUNT_DMA_BASE)))
	syms=$(nm -S --defined-only "$2")
	for sym in run:main rx:example_recv_pkts tx:example_xmit_pkts \
		rx:eth_em_recv_pkts tx:eth_em_xmit_pkts; do
		kind=${sym%%:*} sym=${sym#*:}
		read -r addr size < <(echo "$syms" |
			awk -v n="$sym" '$4 == n && ($3 == "T" || $3 == "t") {print $1, $2; exit}')
		[ -n "$size" ] || die "no function $sym in $2"
		args+=$(printf ',%s=%s:0x%x:0x%x:0x%x' "$kind" "$sym" \
			$((base + 0x$addr)) $((0x$size)) $((0x$addr - seg_addr + seg_off)))
	done
	echo "$args"
}

# The fork's sources outside patches/dpdk: this repository's new files of
# DPDK's tree (app, drivers, doc/guides, lib), which lab/build-dpdk lays
# over the tree and lab/export-fork commits with the patch that uses them.
fork_new_files() {
	(cd "$REPO_DIR" &&
		git ls-files --cached --others --exclude-standard -- app drivers doc/guides lib |
		while read -r f; do [ -f "$f" ] && echo "$f"; done | sort)
}

# Our meson options, as appended to DPDK's meson_options.txt.
fork_meson_options() {
	echo
	cat "$REPO_DIR/meson_options.txt"
}

# What the lab's fork builds (lab/build-dpdk; lab/build-tarball builds the
# release tarball the same way): the libraries DPDK needs anyway, the two
# buses that own PCI devices, the PMDs the lab compares, and ena (AWS), the
# best-known driver that asks bus/pci for write-combining BARs.
FORK_MESON_OPTS=(
	--buildtype=debugoptimized
	-Dplatform=generic
	-Denable_drivers=bus/pci,bus/vdev,mempool/ring,net/null,net/ring,net/e1000,net/ena,bus/vfio_dmabuf,net/example
	-Denable_apps=test,test-pmd
	# DPDK's optional libraries that neither testpmd nor the fork uses
	# (the packet framework, vhost, GPU, graph nodes): a sixth of the
	# build, and their own unit tests prove nothing about this fork.
	-Ddisable_libs=flow_classify,gpudev,jobstats,kni,node,pipeline,port,table,vhost
	-Dtests=true
	-Dexamples=
	-Denable_docs=false
	-Denable_kmods=false
)
