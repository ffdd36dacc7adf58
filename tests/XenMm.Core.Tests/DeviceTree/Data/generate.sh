#!/bin/sh
# Regenerates the test blobs (needs qemu-system-arm and device-tree-compiler; tests do not).
# The QEMU blobs are what QEMU's virt machine hands Xen (real-xen.md's command lines); rng-seed and kaslr-seed
# differ at each run, so regenerating changes those bytes only.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
head -c 4096 /dev/zero > "$tmp/xen.bin"
head -c 64 /dev/zero > "$tmp/kernel32.bin"
head -c 80 /dev/zero > "$tmp/kernel64.bin"
append='console=dtuart dtuart=/pl011@9000000 dom0_mem=64M loglvl=all guest_loglvl=all'
qemu-system-arm -M virt,virtualization=on,gic-version=2 -cpu cortex-a15 -smp 2 -m 1024 -nographic \
  -kernel "$tmp/xen.bin" -append "$append" \
  -device guest-loader,addr=0x42000000,kernel="$tmp/kernel32.bin",bootargs=console=hvc0 \
  -machine dumpdtb=virt-arm32.dtb
qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp 2 -m 1024 -nographic \
  -kernel "$tmp/xen.bin" -append "$append" \
  -device guest-loader,addr=0x42000000,kernel="$tmp/kernel64.bin",bootargs=console=hvc0 \
  -machine dumpdtb=virt-arm64.dtb
for f in virt-arm32 virt-arm64; do dtc -q -I dtb -O dts -o "$f.dts" "$f.dtb"; done
for f in banks cells1 cmdline-xen cmdline-none cmdline-dom0 modules; do dtc -q -I dts -O dtb -o "$f.dtb" "$f.dts"; done
rm -rf "$tmp"
