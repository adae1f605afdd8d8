#!/usr/bin/env bash
# A bootable GRUB ISO (BIOS and UEFI) of a directory: what `grub-mkrescue -o OUT.iso DIR`
# makes, without redoing GRUB's part each time.
#
#   qemu/grub-iso.sh OUT.iso DIR
#
# grub-mkrescue spends most of its time preparing GRUB's own files (core images for BIOS
# and UEFI, the EFI system partition image, ~660 modules), which depend only on the
# installed GRUB, and then runs xorriso on them plus DIR. The first run records both (the
# prepared tree and xorriso's arguments, in build/.cache/grub/); later runs only run
# xorriso with the recorded arguments. The recording is keyed by the installed GRUB (its
# version and the listing of its module directories, with times and sizes), so a GRUB
# upgrade records anew. The arguments include grub-mkrescue's --modification-date: the ISO's
# volume id, which the prepared core images search for at boot, so the two always agree.
set -euo pipefail

die() { echo "grub-iso.sh: $*" >&2; exit 1; }

# Called by grub-mkrescue as its xorriso (--xorriso=): record, then run the real one.
if [ "${KEEL_GRUB_RECORD:-}" != "" ]; then
    prev="" tree=""
    for a in "$@"; do
        [ "$prev" = "-r" ] && tree=$a
        prev=$a
    done
    if [ -n "$tree" ]; then
        cp -a "$tree" "$KEEL_GRUB_RECORD/tree"
        printf '%s\0' "$@" >"$KEEL_GRUB_RECORD/args"
        printf '%s' "$tree" >"$KEEL_GRUB_RECORD/tree-was"
    fi
    exec xorriso "$@"
fi

[ $# -eq 2 ] || die "usage: qemu/grub-iso.sh OUT.iso DIR"
OUT=$1
DIR=$2
[ -d "$DIR" ] || die "$DIR is not a directory"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=$ROOT/build/.cache/grub

key=$({ grub-mkrescue --version; ls -l --time-style=full-iso /usr/lib/grub/i386-pc /usr/lib/grub/x86_64-efi; sha256sum "${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-32)
base=$CACHE/$key
OUT_ABS=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
DIR_ABS=$(cd "$DIR" && pwd)

if [ ! -f "$base/args" ]; then
    # Record (once per GRUB installation; concurrent builds each record into their own
    # directory and the first rename wins).
    mkdir -p "$CACHE"
    rec=$(mktemp -d "$CACHE/record.XXXXXX")
    KEEL_GRUB_RECORD=$rec grub-mkrescue --xorriso="$ROOT/qemu/grub-iso.sh" -o "$OUT_ABS" "$DIR_ABS"
    [ -f "$rec/args" ] || die "grub-mkrescue did not run xorriso as expected; nothing recorded"
    printf '%s' "$OUT_ABS" >"$rec/out-was"
    printf '%s' "$DIR_ABS" >"$rec/dir-was"
    mv -T "$rec" "$base" 2>/dev/null || rm -rf "$rec"
    exit 0
fi

# Replay: the recorded arguments with the recorded tree, this output and this directory.
tree_was=$(<"$base/tree-was")
out_was=$(<"$base/out-was")
dir_was=$(<"$base/dir-was")
args=()
while IFS= read -r -d '' a; do
    case "$a" in
        "$tree_was") args+=("$base/tree") ;;
        "$out_was") args+=("$OUT_ABS") ;;
        "$dir_was") args+=("$DIR_ABS") ;;
        *) args+=("$a") ;;
    esac
done <"$base/args"
[ "${#args[@]}" -gt 0 ] || die "$base/args is empty"
rm -f "$OUT_ABS"
xorriso "${args[@]}"
