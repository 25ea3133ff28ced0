// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kheaders.c - an out-of-tree module named like the in-tree CONFIG_IKHEADERS
 * one: it carries a kernel headers archive and shows it, read-only, at
 * /sys/kernel/kheaders.tar.xz, so that tools which run `modprobe kheaders`
 * (BCC, bpftrace) find it where they look.  The archive is the one
 * kernel/mkarchive writes: a kbuild-complete tree whose first member is
 * khdr-manifest.  khdr-cache reads it straight from the module file, between
 * the symbols kernel_headers_data and kernel_headers_data_end, without
 * loading the module.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/version.h>

#ifndef KHEADERS_ARCHIVE
#error "KHEADERS_ARCHIVE (the absolute path of the .tar.xz) is not defined: build through kernel/Makefile"
#endif

/*
 * The archive, byte for byte.  The assembler runs in the kernel tree, so
 * the path is absolute; Kbuild makes the object depend on the file, since
 * kbuild does not see .incbin inputs.
 */
asm("	.pushsection .rodata, \"a\"\n"
    "	.global kernel_headers_data\n"
    "kernel_headers_data:\n"
    "	.incbin \"" KHEADERS_ARCHIVE "\"\n"
    "	.global kernel_headers_data_end\n"
    "kernel_headers_data_end:\n"
    "	.popsection\n");

extern const char kernel_headers_data[];
extern const char kernel_headers_data_end[];

/* Linux 6.17 made the attribute argument of bin_attribute::read const. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
#define KHEADERS_BIN_ATTR const struct bin_attribute
#else
#define KHEADERS_BIN_ATTR struct bin_attribute
#endif

static ssize_t kheaders_read(struct file *file, struct kobject *kobj,
			     KHEADERS_BIN_ATTR *attr, char *buf, loff_t off,
			     size_t len)
{
	size_t size = kernel_headers_data_end - kernel_headers_data;

	/* sysfs clamps to attr->size already; do not rely on it. */
	if (off < 0 || (size_t)off >= size)
		return 0;
	if (len > size - (size_t)off)
		len = size - (size_t)off;
	memcpy(buf, kernel_headers_data + off, len);
	return len;
}

static struct bin_attribute kheaders_attr __ro_after_init = {
	.attr = {
		.name = "kheaders.tar.xz",
		.mode = 0444,
	},
	.read = kheaders_read,
};

static int __init kheaders_init(void)
{
	kheaders_attr.size = kernel_headers_data_end - kernel_headers_data;
	return sysfs_create_bin_file(kernel_kobj, &kheaders_attr);
}

static void __exit kheaders_exit(void)
{
	sysfs_remove_bin_file(kernel_kobj, &kheaders_attr);
}

module_init(kheaders_init);
module_exit(kheaders_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Kernel headers, kbuild-complete, at /sys/kernel/kheaders.tar.xz (khdr-cache)");
