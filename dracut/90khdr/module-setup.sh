#!/bin/bash
# dracut module 90khdr: run "khdr-cache install --boot" in the initramfs
# (pre-pivot), so the running kernel's headers appear at
# $NEWROOT/lib/modules/<release>/build before the real root starts.
# See dracut.khdr(7) and khdr-cache(8).
#
# dracut sets kernel, srcmods (its --kmoddir), dracutsysrootdir and moddir.
# shellcheck disable=SC2154

# The binary to put into the initramfs: khdr-cache from dracut's PATH, or
# $KHDR_CACHE_BINARY (a build tree's, for tests; set it in the environment
# or in a dracut.conf.d file).
_khdr_binary() {
    if [[ -n ${KHDR_CACHE_BINARY-} ]]; then
        [[ -x $KHDR_CACHE_BINARY ]] && printf '%s\n' "$KHDR_CACHE_BINARY"
    else
        find_binary khdr-cache
    fi
}

# The sonames khdr-cache loads with dlopen(), which dracut-install does
# not see (it follows DT_NEEDED): the "soname" lists of its .note.dlopen
# ELF notes, read as the JSON text they are, since dracut's host need not
# have readelf.
_khdr_dlopen_sonames() {
    grep -ao '"soname":\[[^]]*\]' "$1" | grep -o '"[^"]*\.so[^"]*"' | tr -d '"'
}

# The kheaders module of the target kernel, relative to $srcmods, from
# depmod's modules.dep (an in-tree CONFIG_IKHEADERS=m module in
# kernel/kernel/, or an out-of-tree one in updates/ or extra/).
_khdr_module() {
    local _dep="${srcmods%/}/modules.dep" _m _rest
    [[ -r $_dep ]] || return 1
    while IFS=: read -r _m _rest; do
        case ${_m##*/} in
            kheaders.ko | kheaders.ko.xz | kheaders.ko.zst | kheaders.ko.gz)
                printf '%s\n' "$_m"
                return 0
                ;;
        esac
    done < "$_dep"
    return 1
}

# CONFIG_IKHEADERS of the target kernel: y, m, or nothing.  Read from the
# first config found: in its modules dir, its build tree, the boot/ beside
# its modules dir (/boot for /lib/modules, or an unpacked kernel package
# given as --kmoddir), /boot.
_khdr_config() {
    local _f _v
    for _f in "${srcmods%/}/config" \
        "${srcmods%/}/build/.config" \
        "${srcmods%/lib/modules/*}/boot/config-$kernel" \
        "$dracutsysrootdir/boot/config-$kernel"; do
        [[ -f $_f ]] || continue
        _v=$(sed -n 's/^CONFIG_IKHEADERS=\([ym]\)$/\1/p' "$_f")
        printf '%s\n' "$_v"
        return 0
    done
    return 0
}

# called by dracut
check() {
    # Without the binary there is nothing to run.
    [[ -n $(_khdr_binary) ]] || return 1
    # Without an archive for the target kernel there is nothing to install:
    # CONFIG_IKHEADERS (built in or a module), or an out-of-tree kheaders
    # module.
    [[ -n $(_khdr_config) ]] && return 0
    _khdr_module > /dev/null && return 0
    return 255
}

# called by dracut
depends() {
    # The hook needs $NEWROOT mounted and dracut-lib's getargbool.
    echo base rootfs-block
    return 0
}

# called by dracut
installkernel() {
    # The hook reads the module file (it never loads it, so module
    # signing and lockdown do not matter); hostonly="" because the module
    # is never loaded on the host and host-only mode would drop it.
    _khdr_module > /dev/null && hostonly='' instmods kheaders
    return 0
}

# called by dracut
install() {
    local _bin
    _bin=$(_khdr_binary)
    if [[ -n ${KHDR_CACHE_BINARY-} ]]; then
        # dracut-install resolves its libraries as inst_multiple does.
        inst_binary "$_bin" /usr/sbin/khdr-cache || return 1
    else
        inst_multiple khdr-cache || return 1
    fi
    # liblzma and libblkid serve every boot, libzstd and zlib only a
    # compressed kheaders module; the host's copies, like inst_binary's.
    # find_binary's path is inside $dracutsysrootdir, a test's is not.
    local _so _elf=$_bin
    [[ -n ${KHDR_CACHE_BINARY-} ]] || _elf=$dracutsysrootdir$_bin
    for _so in $(_khdr_dlopen_sonames "$_elf"); do
        inst_libdir_file "$_so" || dwarn "90khdr: $_so not found; khdr-cache cannot load it in the initramfs"
    done
    # The hook runs "install --root $NEWROOT", which reads
    # $NEWROOT/etc/khdr-cache.conf; the initramfs copy serves a
    # "khdr-cache" run by hand from the emergency shell.
    [[ -f $dracutsysrootdir/etc/khdr-cache.conf ]] && inst_simple /etc/khdr-cache.conf
    # rd.khdr.remount=1 remounts $NEWROOT (base has mount already).
    inst_multiple mount
    # After /usr is mounted (usrmount, 50) and IMA/EVM set up (60-63),
    # before convertfs (99).
    inst_hook pre-pivot 80 "$moddir/khdr-pre-pivot.sh"
}
