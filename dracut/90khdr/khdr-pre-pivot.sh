#!/bin/sh
# pre-pivot hook of dracut's 90khdr module: install the running kernel's
# headers into the real root.  Sourced by dracut (plain or systemd
# flavour): it must "return", never "exit", and never break the boot.
#
#   rd.khdr=0 / khdr=0   do nothing
#   rd.khdr.remount=1    a read-only $NEWROOT is remounted read-write for
#                        the install, then read-only again; without it the
#                        verified archive is staged in /run/khdr for
#                        khdr-cache.service (see dracut.khdr(7))

# shellcheck source=/dev/null
type getargbool > /dev/null 2>&1 || . /lib/dracut-lib.sh

# Is $NEWROOT mounted read-only?  The last mount on it counts.
khdr_root_ro() {
    _khdr_opts=
    while read -r _khdr_dev _khdr_mnt _khdr_type _khdr_o _khdr_rest; do
        [ "$_khdr_mnt" = "$NEWROOT" ] && _khdr_opts=$_khdr_o
    done < /proc/self/mounts
    case ",$_khdr_opts," in
        *,ro,*) return 0 ;;
    esac
    return 1
}

# The kheaders module dracut put into this initramfs for the running
# kernel (installkernel of module-setup.sh), from modules.dep.
khdr_initrd_module() {
    read -r _khdr_kver < /proc/sys/kernel/osrelease || return 1
    _khdr_dir=/lib/modules/$_khdr_kver
    [ -r "$_khdr_dir/modules.dep" ] || return 1
    while IFS=: read -r _khdr_m _khdr_rest; do
        case ${_khdr_m##*/} in
            kheaders.ko | kheaders.ko.xz | kheaders.ko.zst | kheaders.ko.gz)
                [ -f "$_khdr_dir/$_khdr_m" ] || continue
                printf '%s\n' "$_khdr_dir/$_khdr_m"
                return 0
                ;;
        esac
    done < "$_khdr_dir/modules.dep"
    return 1
}

khdr_run() {
    _khdr_remounted=
    # Where the archive comes from: /sys/kernel/kheaders.tar.xz when the
    # kernel has it (built in, or the module already loaded), which
    # khdr-cache finds by itself; else the module file in this initramfs,
    # read in place (no modprobe: nothing is loaded, so a kernel that only
    # loads signed modules is no obstacle), passed with --archive because
    # khdr-cache looks for module files under --root only.
    set --
    if [ ! -e /sys/kernel/kheaders.tar.xz ] &&
        _khdr_mod=$(khdr_initrd_module); then
        set -- --archive "$_khdr_mod"
    fi

    if getargbool 0 rd.khdr.remount && khdr_root_ro; then
        # As dracut's lvmmerge does: a plain remount of the mounted root.
        if mount -o remount,rw "$NEWROOT"; then
            _khdr_remounted=1
        else
            warn "khdr-cache: cannot remount $NEWROOT read-write; staging in /run/khdr instead"
        fi
    fi

    khdr-cache install --root "$NEWROOT" --boot "$@" ||
        warn "khdr-cache: install --boot exited with status $?"

    if [ -n "$_khdr_remounted" ] && ! mount -o remount,ro "$NEWROOT"; then
        warn "khdr-cache: cannot remount $NEWROOT read-only again"
    fi
}

if ! command -v khdr-cache > /dev/null 2>&1; then
    warn "khdr-cache: not in this initramfs"
elif ! getargbool 1 rd.khdr || ! getargbool 1 khdr; then
    info "khdr-cache: disabled on the kernel command line"
else
    khdr_run
fi
unset -f khdr_root_ro khdr_initrd_module khdr_run
unset _khdr_opts _khdr_dev _khdr_mnt _khdr_type _khdr_o _khdr_rest \
    _khdr_kver _khdr_dir _khdr_m _khdr_mod _khdr_remounted
# Whatever happened above, the boot goes on (the last status is unset's: 0).
