/* SPDX-License-Identifier: GPL-2.0-or-later */
/* extract.c - archive members written beneath one directory fd, never through a symlink. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"
#include "format/path.h"
#include "fs/extract.h"

#define MODE_MASK 0755          /* no setuid/setgid/sticky, no g+w, o+w */

void extract_init(struct extractor *x, int rootfd, uint64_t max_entries,
		  uint64_t max_bytes)
{
	memset(x, 0, sizeof(*x));
	x->rootfd = rootfd;
	x->dirfd = -1;
	x->fd = -1;
	x->max_entries = max_entries;
	x->max_bytes = max_bytes;
	/* The fallback walk, forced, so the tests cover it on new kernels too. */
	x->no_openat2 = getenv("KHDR_NO_OPENAT2") != NULL;
}

static void close_dir(struct extractor *x)
{
	if (x->dirfd >= 0 && x->dirfd != x->rootfd)
		close(x->dirfd);
	x->dirfd = -1;
	x->dirpath[0] = '\0';
}

void extract_free(struct extractor *x)
{
	close_dir(x);
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	free(x->dirs);
	free(x->dirs_arena);
	free(x->files.arena);
	free(x->files.slots);
	free(x->dirset.arena);
	free(x->dirset.slots);
	x->dirset.arena = NULL;
	x->dirset.slots = NULL;
	x->dirs = NULL;
	x->dirs_arena = NULL;
	x->files.arena = NULL;
	x->files.slots = NULL;
}

/* ---- the set of regular files written, for hard link checks ---- */

static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* Slot of a name removed again: lookups pass over it, inserts reuse it. */
#define SET_GONE UINT32_MAX

/* The slot holding name, or the slot where it would go (never NULL). */
static uint32_t *set_slot(const struct name_set *s, const char *name)
{
	uint32_t *free_slot = NULL;

	for (size_t i = hash_name(name) & (s->nslots - 1);; i = (i + 1) & (s->nslots - 1)) {
		uint32_t *slot = &s->slots[i];

		if (!*slot)
			return free_slot ? free_slot : slot;
		if (*slot == SET_GONE) {
			if (!free_slot)
				free_slot = slot;
		} else if (strcmp(s->arena + *slot - 1, name) == 0) {
			return slot;
		}
	}
}

static bool set_has(const struct name_set *s, const char *name)
{
	uint32_t *slot;

	if (!s->nslots)
		return false;
	slot = set_slot(s, name);
	return *slot && *slot != SET_GONE;
}

/* Forget a name (its bytes stay in the arena until the set is freed). */
static void set_del(struct name_set *s, const char *name)
{
	uint32_t *slot;

	if (!s->nslots)
		return;
	slot = set_slot(s, name);
	if (*slot && *slot != SET_GONE)
		*slot = SET_GONE;
}

static void set_place(struct name_set *s, uint32_t off)
{
	size_t i = hash_name(s->arena + off - 1) & (s->nslots - 1);

	while (s->slots[i])
		i = (i + 1) & (s->nslots - 1);
	s->slots[i] = off;
}

static int set_grow(struct name_set *s)
{
	size_t old = s->nslots, n = old ? old * 2 : 1024;
	uint32_t *prev = s->slots;

	s->slots = calloc(n, sizeof(*s->slots));
	if (!s->slots) {
		s->slots = prev;
		return -ENOMEM;
	}
	s->nslots = n;
	/* Removed names are not carried over: count is the live ones again. */
	s->count = 0;
	for (size_t i = 0; i < old; i++)
		if (prev[i] && prev[i] != SET_GONE) {
			set_place(s, prev[i]);
			s->count++;
		}
	free(prev);
	return 0;
}

static int set_add(struct name_set *s, const char *name)
{
	size_t len = strlen(name) + 1;
	uint32_t *slot;

	if (set_has(s, name))
		return 0;
	/* A name is found by its offset + 1 in a uint32_t slot: the arena
	 * stays within UINT32_MAX bytes, so the arena sizes below cannot
	 * wrap, not even with a 32-bit size_t. */
	if (len > UINT32_MAX - s->arena_len)
		return -ENOMEM;
	if ((s->count + 1) * 2 > s->nslots && set_grow(s) < 0)
		return -ENOMEM;
	if (s->arena_len + len > s->arena_cap) {
		size_t need = s->arena_len + len;
		/* Doubling, capped; checked before realloc, which may have
		 * moved (and freed) the old arena once it returns. */
		size_t cap = need <= UINT32_MAX / 2 ? need * 2 : UINT32_MAX;
		char *a = realloc(s->arena, cap);

		if (!a)
			return -ENOMEM;
		s->arena = a;
		s->arena_cap = cap;
	}
	memcpy(s->arena + s->arena_len, name, len);
	/* count includes removed slots (set_grow drops them): the table
	 * never fills with them, so set_slot() always finds an empty one. */
	slot = set_slot(s, name);
	if (!*slot)
		s->count++;
	*slot = (uint32_t)s->arena_len + 1;
	s->arena_len += len;
	return 0;
}

/* ---- resolving the parent directory of a member ---- */

static int open_beneath(struct extractor *x, const char *dir)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	long fd;

	if (x->no_openat2)
		return -ENOSYS;
	fd = syscall(SYS_openat2, x->rootfd, dir, &how, sizeof(how));
	if (fd >= 0)
		return (int)fd;
	/* Old kernels, and seccomp filters that do not know openat2. */
	if (errno == ENOSYS || errno == EPERM || errno == E2BIG) {
		x->no_openat2 = true;
		return -ENOSYS;
	}
	return -errno;
}

/* One component at a time with O_NOFOLLOW, creating what is missing. */
static int walk_create(struct extractor *x, const char *dir, struct khdr_err *e)
{
	char comp[PATH_NAME_MAX + 1];
	int cur = x->rootfd;
	const char *s = dir;

	while (*s) {
		const char *end = strchrnul(s, '/');
		size_t n = (size_t)(end - s);
		int next;

		memcpy(comp, s, n);
		comp[n] = '\0';
		next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST) {
				int r = -errno;
				if (cur != x->rootfd)
					close(cur);
				return err_set(e, r, "cannot create directory %.*s: %s",
					       (int)(end - dir), dir, strerror(-r));
			}
			x->ndirs_made++;
			next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int r = -errno;
			if (cur != x->rootfd)
				close(cur);
			if (r == -ELOOP || r == -ENOTDIR)
				return err_set(e, r, "%.*s is not a directory (a symlink?); refusing to write through it",
					       (int)(end - dir), dir);
			return err_set(e, r, "cannot open directory %.*s: %s",
				       (int)(end - dir), dir, strerror(-r));
		}
		if (cur != x->rootfd)
			close(cur);
		cur = next;
		s = *end ? end + 1 : end;
	}
	return cur;
}

/* An fd for directory `dir` (clean, relative; "" is the root). */
static int open_dir(struct extractor *x, const char *dir, struct khdr_err *e)
{
	int fd;

	if (!*dir)
		return x->rootfd;
	fd = open_beneath(x, dir);
	if (fd >= 0)
		return fd;
	if (fd == -ELOOP || fd == -EXDEV)
		return err_set(e, fd, "%s leads through a symlink; refusing to write through it",
			       dir);
	return walk_create(x, dir, e);
}

/* Point x->dirfd at the parent of `path`, reusing the previous one. */
static int enter_parent(struct extractor *x, const char *path,
			const char **base, struct khdr_err *e)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	int fd;

	*base = slash ? slash + 1 : path;
	if (x->dirfd >= 0 && strlen(x->dirpath) == n &&
	    memcmp(x->dirpath, path, n) == 0)
		return 0;
	close_dir(x);
	memcpy(x->dirpath, path, n);
	x->dirpath[n] = '\0';
	fd = open_dir(x, x->dirpath, e);
	if (fd < 0) {
		x->dirpath[0] = '\0';
		return fd;
	}
	x->dirfd = fd;
	return 0;
}

/*
 * Make room for a new name: remove an old non-directory in its place.
 * Whatever was there is no longer a file this extraction wrote, so the
 * name leaves the set hard links are checked against: a file replaced by
 * a symlink must not be hard-linked as that symlink.
 */
static int clear_name(struct extractor *x, const char *base, const char *path,
		      struct khdr_err *e)
{
	struct stat st;

	if (fstatat(x->dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_set(e, errno, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return err_set(e, EISDIR, "%s: a directory of that name exists", path);
	if (unlinkat(x->dirfd, base, 0) < 0)
		return err_set(e, errno, "cannot replace %s: %s", path, strerror(errno));
	set_del(&x->files, path);
	return 0;
}

static int defer_dir_mtime(struct extractor *x, const char *path, int64_t mtime)
{
	size_t len = strlen(path) + 1;

	if (x->ndirs == x->dirs_cap) {
		size_t cap = x->dirs_cap ? x->dirs_cap * 2 : 256;
		struct deferred_dir *d = realloc(x->dirs, cap * sizeof(*d));

		if (!d)
			return -ENOMEM;
		x->dirs = d;
		x->dirs_cap = cap;
	}
	if (x->dirs_arena_len + len > x->dirs_arena_cap) {
		size_t cap = (x->dirs_arena_len + len) * 2;
		char *a = realloc(x->dirs_arena, cap);

		if (!a)
			return -ENOMEM;
		x->dirs_arena = a;
		x->dirs_arena_cap = cap;
	}
	memcpy(x->dirs_arena + x->dirs_arena_len, path, len);
	x->dirs[x->ndirs++] = (struct deferred_dir){ x->dirs_arena_len, mtime };
	x->dirs_arena_len += len;
	return 0;
}

static struct timespec mtime_ts(int64_t mtime)
{
	return (struct timespec){ .tv_sec = (time_t)mtime, .tv_nsec = 0 };
}

static uint32_t sanitize_mode(const char *path, uint32_t mode)
{
	if (mode & ~(uint32_t)MODE_MASK & 07777 & ~(uint32_t)020)
		log_warn("%s: mode %04o masked to %04o", path, mode,
			 mode & MODE_MASK);
	return mode & MODE_MASK;
}

static int make_dir(struct extractor *x, const char *path, const char *base,
		    const struct entry *en, struct khdr_err *e)
{
	uint32_t mode = sanitize_mode(path, en->mode) | 0700;
	struct stat st;

	if (mkdirat(x->dirfd, base, mode) == 0) {
		x->ndirs_made++;
	} else if (errno != EEXIST) {
		return err_set(e, errno, "cannot create directory %s: %s", path,
			       strerror(errno));
	} else if (fstatat(x->dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		   !S_ISDIR(st.st_mode)) {
		int r = clear_name(x, base, path, e);

		if (r < 0)
			return r;
		if (mkdirat(x->dirfd, base, mode) < 0)
			return err_set(e, errno, "cannot create directory %s: %s",
				       path, strerror(errno));
		x->ndirs_made++;
	} else if ((st.st_mode & 07777) != mode) {
		/* It is a real directory (checked above), ours to chmod. */
		fchmodat(x->dirfd, base, mode, 0);
	}
	/* A directory named again keeps its first deferred entry. */
	if (set_has(&x->dirset, path))
		return 0;
	return set_add(&x->dirset, path) < 0 || defer_dir_mtime(x, path, en->mtime) < 0
		       ? err_set(e, ENOMEM, "out of memory") : 0;
}

static int make_symlink(struct extractor *x, const char *path,
			const char *base, const struct entry *en,
			struct khdr_err *e)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, mtime_ts(en->mtime) };
	const char *why;
	int r = path_symlink_ok(path, en->link, &why);

	if (r < 0)
		return err_set(e, r, "refusing symlink %s -> %s: %s", path,
			       en->link, why);
	if (symlinkat(en->link, x->dirfd, base) < 0) {
		if (errno != EEXIST)
			return err_set(e, errno, "cannot create symlink %s: %s",
				       path, strerror(errno));
		r = clear_name(x, base, path, e);
		if (r < 0)
			return r;
		if (symlinkat(en->link, x->dirfd, base) < 0)
			return err_set(e, errno, "cannot create symlink %s: %s",
				       path, strerror(errno));
	}
	utimensat(x->dirfd, base, ts, AT_SYMLINK_NOFOLLOW);
	x->nlinks++;
	return 0;
}

/*
 * A hard link's target is checked on disk, not on what the archive once
 * said: make_hardlink() takes only a name this extraction wrote as a
 * regular file and has not replaced since (clear_name keeps the set in
 * step), and it must be a regular file now.  linkat() without
 * AT_SYMLINK_FOLLOW links a symlink itself, which at the new name may
 * resolve outside the tree.
 */
static int link_target_ok(int tdir, const char *tbase, const char *path,
			  const struct entry *en, struct khdr_err *e)
{
	struct stat st;

	if (fstatat(tdir, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set(e, errno, "cannot link %s to %s: %s", path,
			       en->link, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set(e, EINVAL,
			       "refusing hard link %s -> %s: the target is no longer a regular file",
			       path, en->link);
	return 0;
}

static int make_hardlink(struct extractor *x, const char *path,
			 const char *base, const struct entry *en,
			 struct khdr_err *e)
{
	char target[PATH_MAX];
	const char *why, *tbase;
	int tdir, r;

	r = path_clean(en->link, target, sizeof(target), &why);
	if (r != 0)
		return err_set(e, r < 0 ? r : -EINVAL,
			       "refusing hard link %s -> %s: %s", path, en->link,
			       r < 0 ? why : "target is the root");
	if (!set_has(&x->files, target))
		return err_set(e, EINVAL,
			       "refusing hard link %s -> %s: not an earlier regular file of the archive",
			       path, en->link);
	tbase = strrchr(target, '/');
	if (tbase) {
		*(char *)tbase++ = '\0';
		tdir = open_dir(x, target, e);
		if (tdir < 0)
			return tdir;
	} else {
		tbase = target;
		tdir = x->rootfd;
	}
	r = link_target_ok(tdir, tbase, path, en, e);
	if (r == 0)
		r = clear_name(x, base, path, e);
	if (r == 0 && linkat(tdir, tbase, x->dirfd, base, 0) < 0)
		r = err_set(e, errno, "cannot link %s to %s: %s", path, en->link,
			    strerror(errno));
	if (tdir != x->rootfd)
		close(tdir);
	if (r < 0)
		return r;
	x->nlinks++;
	/* The new name is the same regular file: later links may name it. */
	return set_add(&x->files, path) < 0 ? err_set(e, ENOMEM, "out of memory") : 0;
}

static int open_file(struct extractor *x, const char *path, const char *base,
		     const struct entry *en, struct khdr_err *e)
{
	uint32_t mode = sanitize_mode(path, en->mode);
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int r;

	if (en->size > x->max_bytes - x->bytes)
		return err_set(e, EFBIG,
			       "%s: %llu bytes would pass the limit of %llu bytes written (--max-bytes)",
			       path, (unsigned long long)en->size,
			       (unsigned long long)x->max_bytes);
	x->fd = openat(x->dirfd, base, flags, mode);
	if (x->fd < 0 && errno == EEXIST) {
		r = clear_name(x, base, path, e);
		if (r < 0)
			return r;
		x->fd = openat(x->dirfd, base, flags, mode);
	}
	if (x->fd < 0)
		return err_set(e, errno, "cannot create %s: %s", path,
			       strerror(errno));
	memcpy(x->name, path, strlen(path) + 1);
	x->mtime = en->mtime;
	x->nfiles++;
	if (set_add(&x->files, path) < 0)
		return err_set(e, ENOMEM, "out of memory");
	return 1;
}

/*
 * ENOSPC: say what ran out.  The free-space check before extraction counts
 * bytes only (the archive's index gives no file count), so a file system
 * out of inodes (a small tmpfs, an ext4 made for big files) ends here.
 */
static int explain_enospc(struct extractor *x, int r, struct khdr_err *e)
{
	size_t n = strlen(e->msg);
	struct statvfs sv;

	if (r != -ENOSPC)
		return r;
	if (fstatvfs(x->rootfd, &sv) == 0 && sv.f_files && sv.f_ffree == 0)
		snprintf(e->msg + n, sizeof(e->msg) - n,
			 " (no free inodes left, %llu in all: remove files there or move the cache to a file system with more inodes)",
			 (unsigned long long)sv.f_files);
	else
		snprintf(e->msg + n, sizeof(e->msg) - n,
			 " (free some space or move the cache)");
	return r;
}

int extract_begin(struct extractor *x, const struct entry *en,
		  struct khdr_err *e)
{
	char path[PATH_MAX];
	const char *why, *base;
	int r;

	if (++x->entries > x->max_entries)
		return err_set(e, E2BIG,
			       "archive has more than %llu members (--max-entries)",
			       (unsigned long long)x->max_entries);
	r = path_clean(en->path, path, sizeof(path), &why);
	if (r < 0)
		return err_set(e, r, "refusing member '%.200s': %s", en->path, why);
	if (r == 1) {                     /* "./": the root itself */
		if (en->type == ENTRY_DIR)
			defer_dir_mtime(x, "", en->mtime);
		return 0;
	}
	switch (en->type) {
	case ENTRY_CHAR: case ENTRY_BLOCK: case ENTRY_FIFO: case ENTRY_OTHER:
		log_warn("%s: %s skipped", path,
			 en->type == ENTRY_FIFO ? "FIFO" :
			 en->type == ENTRY_OTHER ? "unsupported member type" :
			 "device node");
		x->skipped++;
		return 0;
	default:
		break;
	}
	r = enter_parent(x, path, &base, e);
	if (r < 0)
		return explain_enospc(x, r, e);
	switch (en->type) {
	case ENTRY_DIR:
		r = make_dir(x, path, base, en, e);
		break;
	case ENTRY_SYMLINK:
		r = make_symlink(x, path, base, en, e);
		break;
	case ENTRY_HARDLINK:
		r = make_hardlink(x, path, base, en, e);
		break;
	default:
		r = open_file(x, path, base, en, e);
		break;
	}
	return explain_enospc(x, r, e);
}

int extract_write(struct extractor *x, const void *p, size_t n,
		  struct khdr_err *e)
{
	const uint8_t *b = p;

	if (n > x->max_bytes - x->bytes)
		return err_set(e, EFBIG, "more than %llu bytes written (--max-bytes)",
			       (unsigned long long)x->max_bytes);
	while (n) {
		ssize_t w = write(x->fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int r = -errno;
			err_set(e, r, "cannot write %s: %s", x->name,
				strerror(-r));
			return explain_enospc(x, r, e);
		}
		b += w;
		n -= (size_t)w;
		x->bytes += (uint64_t)w;
	}
	return 0;
}

int extract_end(struct extractor *x, struct khdr_err *e)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, mtime_ts(x->mtime) };
	int r = 0;

	if (x->fd < 0)
		return 0;
	futimens(x->fd, ts);
	if (close(x->fd) < 0)
		r = err_set(e, errno, "cannot write %s: %s", x->name, strerror(errno));
	x->fd = -1;
	return r;
}

int extract_finish(struct extractor *x, struct khdr_err *e)
{
	close_dir(x);
	/* Deepest last-created first, so a parent's time is set after its children. */
	for (size_t i = x->ndirs; i-- > 0;) {
		const char *path = x->dirs_arena + x->dirs[i].path_off;
		struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT },
					  mtime_ts(x->dirs[i].mtime) };
		int fd = open_dir(x, path, e);

		if (fd < 0)
			return fd;
		futimens(fd, ts);
		if (fd != x->rootfd)
			close(fd);
	}
	return 0;
}
