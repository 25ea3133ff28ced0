// SPDX-License-Identifier: GPL-2.0
/*
 * taskoff - the guest tier's test module (check a): built with kbuild
 * against /lib/modules/$(uname -r)/build and loaded with insmod, it
 * prints where that tree says task_struct keeps pid, how big it says the
 * struct is, and current->pid (the loader's).  tests/guest/check compares
 * the first with the running kernel's BTF and the last with the pid of
 * the insmod it ran.  Loading at all means the kernel accepted the
 * module's vermagic and every modversions CRC of the symbols it uses.
 */
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/stddef.h>

static int __init taskoff_init(void)
{
	pr_info("taskoff: offset=%zu size=%zu pid=%d\n",
		offsetof(struct task_struct, pid), sizeof(struct task_struct),
		current->pid);
	return 0;
}

static void __exit taskoff_exit(void)
{
}

module_init(taskoff_init);
module_exit(taskoff_exit);
MODULE_DESCRIPTION("khdr-cache guest test: offsetof(struct task_struct, pid)");
MODULE_LICENSE("GPL");
