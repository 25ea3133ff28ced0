#!/usr/bin/python3
# tests/guest/bcc-task.py - check d: a BCC program whose C text includes
# <linux/sched.h> reads pid, tgid, real_parent->tgid and comm of the
# current task on the getppid() syscall tracepoint, which this process
# then triggers; prints what the program saw beside what Python knows.
# debug=4 (DEBUG_PREPROCESSOR) makes BCC print the kernel directory it
# compiles against ("Running from kernel directory at: ...").
import os
import sys

from bcc import BPF

prog = r"""
#include <linux/sched.h>

struct seen {
	u32 pid, tgid, ppid;
	char comm[TASK_COMM_LEN];
};
BPF_ARRAY(out, struct seen, 1);

TRACEPOINT_PROBE(syscalls, sys_enter_getppid)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct seen s = {};
	int zero = 0;

	if (bpf_get_current_pid_tgid() >> 32 != TARGET)
		return 0;
	s.pid = t->pid;
	s.tgid = t->tgid;
	s.ppid = t->real_parent->tgid;
	bpf_probe_read_kernel(&s.comm, sizeof(s.comm), t->comm);
	out.update(&zero, &s);
	return 0;
}
"""

b = BPF(text=prog.replace("TARGET", str(os.getpid())), debug=4)
sys.stdout.flush()
ppid = os.getppid()
s = b["out"][0]
with open("/proc/self/comm") as f:
    comm = f.read().strip()
print("KV task_pid=%d task_tgid=%d task_ppid=%d task_comm=%s" %
      (s.pid, s.tgid, s.ppid, s.comm.decode(errors="replace")))
print("KV pid=%d tgid=%d ppid=%d comm=%s" % (os.getpid(), os.getpid(), ppid, comm))
