/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spawn.c - fork, exec and wait, and a message saying how the child ended. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/spawn.h"

static void set_env(const char *const *env)
{
	for (; env && *env; env++) {
		const char *eq = strchr(*env, '=');
		char name[64];

		if (!eq || (size_t)(eq - *env) >= sizeof(name))
			continue;
		memcpy(name, *env, (size_t)(eq - *env));
		name[eq - *env] = '\0';
		setenv(name, eq + 1, 1);
	}
}

/* In the child: set up its streams and environment, then become argv. */
static _Noreturn void child(const struct spawn *sp)
{
	int fd;

	if (sp->null_stdin && (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		dup2(fd, 0);
	if (sp->log) {
		fd = open(sp->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
	}
	set_env(sp->env);
	execvp(sp->argv[0], sp->argv);
	if (!sp->quiet)
		fprintf(stderr, "khdr-cache: cannot run %s: %s\n", sp->argv[0], strerror(errno));
	_exit(127);
}

int spawn_run(const struct spawn *sp, int *code, struct khdr_err *e)
{
	const char *name = sp->name ? sp->name : sp->argv[0];
	int status;
	pid_t pid;

	/* What we printed comes before what the child prints on the same stream. */
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return err_set(e, errno, "fork: %s", strerror(errno));
	if (pid == 0)
		child(sp);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(e, errno, "waitpid: %s", strerror(errno));
	if (code) {
		*code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return err_set(e, ECHILD, "%s %s %d", name,
		       WIFEXITED(status) ? "exited with" : "was killed by signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}
