/* SPDX-License-Identifier: GPL-2.0-or-later */
/* handoff.c - new trees handed on to header_postinst.d: markers written, taken, scripts run. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/spawn.h"
#include "sys/handoff.h"

/*
 * The marker directory names releases whose scripts root then runs: it
 * must be root's alone, made so if missing, refused if anyone else can
 * write it (someone could ask for scripts to run for a release of theirs).
 */
static int marker_dir(const char *run_dir, char *dir, size_t size, bool make,
		      struct khdr_err *e)
{
	struct stat st;

	if (path_fmt(dir, size, "%s/handoff", run_dir) < 0)
		return err_set(e, ENAMETOOLONG, "--run-dir too long");
	/* Only the run dir itself is made: no /run (a fixture root) is no marker. */
	if (make && (mkdir(run_dir, 0755) < 0 && errno != EEXIST))
		return errno == ENOENT ? -ENOENT
				       : err_set(e, errno, "cannot make %s: %s", run_dir, strerror(errno));
	if (make && (mkdir(dir, 0755) < 0 && errno != EEXIST))
		return err_set(e, errno, "cannot make %s: %s", dir, strerror(errno));
	if (lstat(dir, &st) < 0)
		return errno == ENOENT ? -ENOENT
				       : err_set(e, errno, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
		return err_set(e, EPERM, "%s is not a directory that only root can write: "
			       "its markers are not used", dir);
	return 0;
}

int handoff_mark(const char *run_dir, const char *release, const char *key,
		 struct khdr_err *e)
{
	char dir[4096], path[4096], tmp[4200];
	size_t len = strlen(key);
	int r = marker_dir(run_dir, dir, sizeof(dir), true, e), fd;

	if (r < 0)
		return r;
	if (path_fmt(path, sizeof(path), "%s/%s", dir, release) < 0 ||
	    path_fmt(tmp, sizeof(tmp), "%s/.%s.tmp", dir, release) < 0)
		return err_set(e, ENAMETOOLONG, "marker path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set(e, errno, "cannot write %s: %s", tmp, strerror(errno));
	if (write(fd, key, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		r = errno ? errno : EIO;
		close(fd);
		unlink(tmp);
		return err_set(e, r, "cannot write %s: %s", tmp, strerror(r));
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		r = errno;
		unlink(tmp);
		return err_set(e, r, "cannot rename %s: %s", tmp, strerror(r));
	}
	return 0;
}

int handoff_take(const char *run_dir, const char *release, char *key,
		 size_t size, struct khdr_err *e)
{
	char dir[4096], path[4096];
	size_t n = 0;
	int r = marker_dir(run_dir, dir, sizeof(dir), false, e);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (path_fmt(path, sizeof(path), "%s/%s", dir, release) < 0)
		return err_set(e, ENAMETOOLONG, "marker path too long");
	r = read_small_file(AT_FDCWD, path, key, size, &n);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return err_set(e, -r, "%s: %s", path, strerror(-r));
	key[strcspn(key, "\n")] = '\0';
	/* Whoever unlinks it owns it: a second taker finds nothing. */
	if (unlink(path) < 0)
		return errno == ENOENT ? 0 : err_set(e, errno, "cannot remove %s: %s", path,
						      strerror(errno));
	return 1;
}

int handoff_pending(const char *run_dir, char (*releases)[RELEASE_MAX],
		    size_t max, size_t *n, struct khdr_err *e)
{
	char dir[4096];
	struct dirent *d;
	DIR *dp;
	int r = marker_dir(run_dir, dir, sizeof(dir), false, e);

	*n = 0;
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	dp = opendir(dir);
	if (!dp)
		return err_set(e, errno, "%s: %s", dir, strerror(errno));
	while ((d = readdir(dp)) && *n < max) {
		if (d->d_name[0] == '.' || !release_valid(d->d_name))
			continue;
		memcpy(releases[(*n)++], d->d_name, strlen(d->d_name) + 1);  /* valid: < RELEASE_MAX */
	}
	closedir(dp);
	return 0;
}

int handoff_run(const char *dir, const char *release, struct khdr_err *e)
{
	char arg[RELEASE_MAX + 8], name[sizeof(e->msg)];
	char *const argv[] = { "run-parts", arg, "--", (char *)dir, NULL };
	/* Scripts read nothing from us; our stdout is theirs too. */
	struct spawn sp = { .argv = argv, .name = name, .null_stdin = true };
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 1;
	snprintf(arg, sizeof(arg), "--arg=%s", release);
	snprintf(name, sizeof(name), "run-parts %s %s", arg, dir);
	return spawn_run(&sp, NULL, e);
}
