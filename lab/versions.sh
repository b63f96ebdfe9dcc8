# Pinned inputs of the fork and the lab.  Every download is checked
# against the sha256 written here; a mismatch stops the build.
# shellcheck shell=bash

# DPDK: Debian bookworm's source package.
DPDK_DEB_VERSION=22.11.11-0+deb12u1
DPDK_UPSTREAM_VERSION=22.11.11
DPDK_ORIG_SHA256=27a3bb1f57e02eb68c7c0a6f8bbf9fb74ec198c5aab74ed602da5b71c492a476
DPDK_DEBIAN_SHA256=e56866e585bd83c3095c178d10669f4ff12360a09f69e7bd6bd32d079f4f1451
DPDK_DSC_SHA256=d0e035100046f54397cb7ab1e53af19f7d85eefa248112213637a536b35cf65d

# Linux 7.2: the source tarball inside sid's linux-source-7.2 binary package.
LINUX_SOURCE_PKG=linux-source-7.2
LINUX_SOURCE_VERSION=7.2.13-1
LINUX_SOURCE_SHA256=30a8c5fc63f9028a62e6d7b3f7f43bee67425dbce2a05fceba83f9b87c92083d

# Stock kernels for the fallback tests (unpacked, never installed).
# sid 7.2: DMABUF export (feature 11) but no mmap and no MEMATTR.
STOCK72_VERSION=7.2.13-1
STOCK72_BINARY_PKG=linux-binary-7.2.13+deb14-amd64
STOCK72_BINARY_SHA256=fb8cd0ade4ef82d9dde1dcf183d4bf4033db1b549b0acc9973855ad9cc48c4f5
STOCK72_MODULES_PKG=linux-modules-7.2.13+deb14-amd64
STOCK72_MODULES_SHA256=a37a3d200915c4cf524e90c81bbb2a8b683d292cd00873e89c23b2ef32b1bf11
# bookworm 6.1: no VFIO DMABUF at all.
STOCK61_PKG=linux-image-6.1.0-50-amd64-unsigned
STOCK61_VERSION=6.1.176-1
STOCK61_SHA256=439422e41d2dbb840b60b81e3bf5e5955bfa56b7a8c268aec83c9ff882d421e6
# bookworm 6.1's headers, for the vfio-dmabuf-pci module (lab/build-module):
# the same build as the stock 6.1 image above, built with bookworm's gcc-12.
STOCK61_KERNEL_RELEASE=6.1.0-50-amd64
STOCK61_HEADERS_PKG=linux-headers-6.1.0-50-amd64
STOCK61_HEADERS_SHA256=91a7929ce639f4199e9ff7f929236cdfdcb5511dba613af5094369e95ca241da
STOCK61_HEADERS_COMMON_PKG=linux-headers-6.1.0-50-common
STOCK61_HEADERS_COMMON_SHA256=7f6f7bee50efbc36dc02c976be5982b96cf36abe544f03f09368e98cfcc5ac3b
STOCK61_KBUILD_PKG=linux-kbuild-6.1
STOCK61_KBUILD_SHA256=667d2e1e94047031c3bcefa4bb67c2520bbc3cc1cce0aa592e67b108dbbead03

# QEMU: bookworm's source package, for qemu-plugin.h only (lab/build-plugin
# builds the lab's counting plugin against the qemu-system-x86 7.2 that
# bookworm installs).
QEMU_DEB_VERSION=1:7.2+dfsg-7+deb12u18
QEMU_UPSTREAM_VERSION=7.2+dfsg
QEMU_ORIG_SHA256=91aca71520040edc40b8d437aa3004dae614f58e286cf653ee8996c07af2962f

# The fork's release: the tag of the exported tree (lab/export-fork) and
# the version of its Debian packages (lab/build-debs), above bookworm's.
FORK_RELEASE=1
FORK_VERSION=$DPDK_UPSTREAM_VERSION-vfiodmabuf.$FORK_RELEASE
FORK_DEB_VERSION=$DPDK_DEB_VERSION+vfiodmabuf$FORK_RELEASE
# Who commits the exported tree and signs the packages' changelog entry.
FORK_MAINTAINER="Seed 945f7941 maintainers <maintainers@users.noreply.r-seed-945f7941.example>"

# sid 7.2's headers, for the lab's debugging module (lab/build-ptdump-module)
# in the sid chroot below: the kernel was built with sid's gcc-16.
STOCK72_KERNEL_RELEASE=7.2.13+deb14-amd64
STOCK72_HEADERS_PKG=linux-headers-7.2.13+deb14-amd64
STOCK72_HEADERS_SHA256=ca62a68d18f87235d0c32b1a3e129f9cb7859ac5e6a0c95574081f02faed8573
STOCK72_HEADERS_COMMON_PKG=linux-headers-7.2.13+deb14-common
STOCK72_HEADERS_COMMON_SHA256=5067c68cf803b385f72e6ea530cfbb9226f5eb91bfb7e256b6fcb4f87fd6279c
STOCK72_KBUILD_PKG=linux-kbuild-7.2.13+deb14
STOCK72_KBUILD_SHA256=0cecebac12f863b32f0b0a5b48b3b762240ff614603e9d8fd550fc095de0e610
# (the headers depend on it: the kernel's config and System.map)
STOCK72_KBASE_PKG=linux-base-7.2.13+deb14-amd64
STOCK72_KBASE_SHA256=2b2d3c6e224358c60974d0bc87461da99a85733eb1fec035b5167582c3bede2b

# Build chroots (lab/build-chroot SUITE): a minimal Debian SUITE made with
# bookworm's debootstrap from the archive the host uses, for a compiler
# bookworm lacks.  CHROOT_<SUITE>_PACKAGES go in from the archive at
# exactly these versions (apt checks them against the signed index; the
# base system is the suite's of the day, listed in the chroot's manifest);
# CHROOT_<SUITE>_FETCH names the lab/fetch target whose .debs, with their
# sha256 pinned above, go in beside them.
# sid: the toolchain of sid's 7.2.13 kernel, as its headers' .config says
# (x86_64-linux-gnu-gcc-16 (Debian 16.2.0-4) 16.2.0, binutils 2.47.50,
# pahole 1.32).
CHROOT_SID_PACKAGES="gcc-16=16.2.0-4 gcc-16-for-host=16.2.0-4
	gcc-16-x86-64-linux-gnu=16.2.0-4 cpp-16=16.2.0-4 cpp-16-for-host=16.2.0-4
	cpp-16-x86-64-linux-gnu=16.2.0-4 gcc-16-base=16.2.0-4 libgcc-16-dev=16.2.0-4
	binutils=2.47.50.20261021-1 binutils-x86-64-linux-gnu=2.47.50.20261021-1
	make=4.4.1-3 pahole=1.32-1 linux-base=4.17"
CHROOT_SID_FETCH=stock72-headers
