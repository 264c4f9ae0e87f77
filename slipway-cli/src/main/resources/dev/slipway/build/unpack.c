/*
 * slipway-unpack: the first-run unpacker of a Slipway single-file executable.
 *
 * The single file is a POSIX sh stub followed by a zstd stream (RFC 8878): one or more frames,
 * each with its content checksum. A POSIX shell alone cannot decompress or create directories, so
 * on the first run the stub writes this small program out with printf and runs it through the
 * dynamic loader (it cannot set an exec bit). It needs nothing but glibc: libzstd's decoder is
 * linked in statically.
 *
 * Usage: slipway-unpack SELF OFFSET KEY ROOT [SELF_TO_REMOVE]
 *   SELF            the single file
 *   OFFSET          byte offset of the zstd payload inside SELF (leading blanks allowed)
 *   KEY             the payload's cache key, e.g. myapp-<16 hex digits>
 *   ROOT            the cache root, e.g. ~/.cache/slipway; the tree goes to ROOT/run/KEY. Empty
 *                   when the user has no cache directory (no HOME)
 *   SELF_TO_REMOVE  this program's own temporary file, unlinked at once
 *
 * Prints the directory that holds the unpacked tree on stdout (ROOT/run/KEY, or a per-user
 * fallback $TMPDIR/slipway-<uid>/run/KEY when ROOT is empty or cannot be written; the fallback
 * must be a directory of this user with mode 0700) and exits 0. Exits 1 with a message on stderr.
 *
 * Environment: SLIPWAY_VERBOSE (any value) reports what it does on stderr; SLIPWAY_PREPARE=1 is
 * the prepare mode of the stub (a deploy makes a release's first run before it stops the old
 * one): it reports too, and it finishes the class-data archive of a tree that is already
 * unpacked if no dump was tried yet (say, the first run that unpacked it was killed mid-dump).
 * SLIPWAY_UNPACK_THREADS (1 or 2) sets how many threads decode the payload's frames (default: 2
 * when the process may run on two CPUs or more, else 1).
 *
 * Damage: the marker DEST/.slipway-complete lists what was unpacked, "slipway-tree 1 MTIME" and
 * then "SIZE PATH" for every regular file. A tree whose marker has that form and whose files all
 * have their size and the payload's time is whole; one that lacks a file or has one of another
 * size or time (every write changes it) is damaged: the unpacker says so on stderr and unpacks it
 * again (the stub runs a tree straight away only when its own cheap check, the files' times, passes).
 * A marker of an older unpacker (empty) cannot be checked and is unpacked again when checked.
 *
 * Concurrency: an exclusive flock(2) on "DEST.lock" serialises first runs, so two first runs at
 * once unpack once; the tree is written to "DEST.tmp.PID" and published with rename(2), so a
 * reader never sees a half-written tree, even after a crash.
 *
 * Damaged payload: a frame whose checksum or structure is wrong, a payload cut short, a record
 * cut by the end of its frame, or bytes after the end record make the unpacker stop with exit 1
 * before it publishes anything; the half-written DEST.tmp.PID is removed once no thread writes
 * into it any more.
 *
 * Two threads: the frames hold whole records, so they are decoded independently, on two threads
 * when the machine has two CPUs (decoding is almost all of a first run's unpacking: about
 * 180 ms of CPU for myapp's JDK 17 file with 16 MiB windows, of which its runtime's frame takes about half). See
 * unpack_into.
 *
 * Payload format (inside the zstd stream), all integers big-endian:
 *   "SLPW" u8(version=3) u64(mtime: seconds since 1970 for every file), then records until 'E':
 *   'D' u16 pathlen, path, u16 mode                  directory
 *   'F' u16 pathlen, path, u16 mode, u64 size, data  regular file
 *   'L' u16 pathlen, path, u16 targetlen, target     symbolic link
 *   'E'                                              end
 * Paths are relative, '/'-separated, and never contain "..". Each zstd frame holds whole records
 * (the first begins with the header); the stream ends with the frame that holds 'E'. Version 2 was the same records in a gzip stream (Slipway before issue 21); such a
 * single file carries its own unpacker, which reads it, so this one reads version 3 only.
 *
 * Class-data archive made at build time (JDK 17-19 runtimes): when the tree holds
 * app/app.built.jsa, a static AppCDS archive whose class path is /proc/self/fd/9/app/... (the
 * launcher opens descriptor 9 on the tree), the unpacker checks once, right after publishing the
 * tree and still under the lock, that the JVM maps it: DEST/runtime/bin/java with the arguments of
 * app/app.jsa.args, -Xshare:on instead of -Xshare:dump, no class list, that archive and -version,
 * with descriptor 9 open on DEST and its output in app/app.jsa.check.log. If the JVM maps it,
 * app/app.jsa becomes a hard link to it and no dump runs. If it refuses it (no /proc, a heap over
 * 32 GB that turns compressed oops off), the unpacker dumps the archive as below.
 * The check costs a JVM start, so it is skipped when nothing it could find can differ from the
 * build: the build wrote app/app.built.jsa.trust (its own heap kept compressed oops), descriptor 9
 * under /proc/self/fd leads to the tree, and the options of app/app.jsa.args fix the heap or this
 * machine has less than 96 GiB of memory, with no option that sets the oops or sizes the heap from
 * the memory. Then app/app.jsa becomes a hard link to the archive straight away.
 *
 * Class-data archive (JDK 17-19 runtimes): when the tree holds app/app.jsa.args, the unpacker
 * dumps a static AppCDS archive for it right after publishing it, still under the lock: it runs
 * DEST/runtime/bin/java with the arguments of that file (one a line, "@HOME@" standing for DEST)
 * plus -XX:SharedArchiveFile=DEST/app/app.jsa.tmp.PID, and renames the result to app/app.jsa.
 * The JVM's output goes to app/app.jsa.log, never to the terminal or the service's log.
 * It runs at the final path because a JDK 17 archive records the class path and the JVM rejects
 * it anywhere else. A failed, crashed or slow dump (over DUMP_TIMEOUT_S) leaves no archive and
 * never stops the app: the launcher passes the archive only when it exists. A dump that failed
 * writes its reason to app/app.jsa.failed and is not tried again; one that was killed with its
 * unpacker leaves neither file, and the next unpacker run (the prepare mode) tries it again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_createDStream_advanced: libzstd is linked in statically */
#include <zstd.h>
#include <zstd_errors.h>

/*
 * The oldest glibc this program runs on: 2.17 (2012; RHEL 7 and 8, Amazon Linux 2, Debian 11 and
 * Ubuntu 20.04 have newer), the floor that Temurin's runtimes need too, although it is built
 * against a newer one (Debian 12's 2.36). A glibc binary asks the loader for each symbol at the
 * version it was linked against (the .gnu.version_r section, readelf -V), and three groups of
 * them would ask for 2.33 or 2.34 (ld.so(8) then refuses it: "version `GLIBC_2.34' not found"):
 *   - stat, lstat and fstat became exported functions in 2.33 (before, the headers turned them
 *     into __xstat calls): they are the kernel's newfstatat and fstat system calls here, whose
 *     struct stat is glibc's on x86-64 and arm64;
 *   - pthread_create and pthread_join moved into libc in 2.34, with a new version: they are bound
 *     to their first version, the one libpthread.so.0 defines before 2.34 and libc.so.6 keeps
 *     for old programs since (the link adds libpthread.so.0, an empty stub since 2.34);
 *   - __libc_start_main, which gcc's start file calls, got a 2.34 version when glibc stopped
 *     taking the program's constructors from it: the link wraps it (ld's --wrap), and the wrapper
 *     below calls its first version with the constructors as that version expects (2.34 and
 *     later run what it is given instead of finding them).
 * NativeHelpersTest reads the binaries' version needs and fails on any newer than GLIBC_OLDEST.
 */
#if defined(__x86_64__)
#define GLIBC_OLDEST "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define GLIBC_OLDEST "GLIBC_2.17"
#else
#error "slipway-unpack is built for x86-64 and arm64 only"
#endif
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>
__asm__(".symver pthread_create, pthread_create@" GLIBC_OLDEST);
__asm__(".symver pthread_join, pthread_join@" GLIBC_OLDEST);
__asm__(".symver libc_start_main_oldest, __libc_start_main@" GLIBC_OLDEST);

/* stat(2) of PATH, following a last symbolic link: 0, or -1 with errno. */
static int stat_path(const char *path, struct stat *st) {
    return (int) syscall(SYS_newfstatat, AT_FDCWD, path, st, 0);
}

/* lstat(2) of PATH: the link itself when PATH names one. 0, or -1 with errno. */
static int lstat_path(const char *path, struct stat *st) {
    return (int) syscall(SYS_newfstatat, AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

/* fstat(2) of descriptor FD: 0, or -1 with errno. */
static int stat_fd(int fd, struct stat *st) {
    return (int) syscall(SYS_fstat, fd, st);
}

typedef int (*main_function)(int, char **, char **);
typedef void (*init_function)(int, char **, char **);
int libc_start_main_oldest(main_function main, int argc, char **argv, init_function init,
                           void (*fini)(void), void (*rtld_fini)(void), void *stack_end);
extern init_function __init_array_start[] __attribute__((weak));
extern init_function __init_array_end[] __attribute__((weak));

/* The program's constructors (.init_array), as the start files of glibc before 2.34 ran them. */
static void run_constructors(int argc, char **argv, char **envp) {
    for (init_function *f = __init_array_start; f < __init_array_end; f++) (*f)(argc, argv, envp);
}

/* What gcc's start file (Scrt1.o) calls instead of __libc_start_main (the link's
 * --wrap=__libc_start_main): glibc's __libc_start_main at its first version. */
int __wrap___libc_start_main(main_function main, int argc, char **argv, init_function init, void (*fini)(void),
                             void (*rtld_fini)(void), void *stack_end);
int __wrap___libc_start_main(main_function main, int argc, char **argv, init_function init, void (*fini)(void),
                             void (*rtld_fini)(void), void *stack_end) {
    (void) init;
    return libc_start_main_oldest(main, argc, argv, run_constructors, fini, rtld_fini, stack_end);
}

#define COMPLETE_MARKER ".slipway-complete"
#define MARKER_HEADER "slipway-tree 1 "
#define DUMP_ARGS "app/app.jsa.args"
#define DUMP_ARCHIVE "app/app.jsa"
#define DUMP_LOG "app/app.jsa.log"
#define DUMP_FAILED "app/app.jsa.failed"
#define BUILT_ARCHIVE "app/app.built.jsa"
#define CHECK_LOG "app/app.jsa.check.log"
#define CHECK_TIMEOUT_S 60
#define TRUST_MARKER "app/app.built.jsa.trust"
/* 96 GiB: a default heap (a quarter of the memory) of at most 24 GiB keeps compressed oops. */
#define TRUST_MAX_MEMORY (96.0 * 1024 * 1024 * 1024)
#define HOME_FD 9
#define CLASS_LIST "app/app.classlist"
#define DUMP_TIMEOUT_S 300
#define DUMP_MAX_ARGS 254

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw);
static void note(const char *fmt, ...);
static void detail(const char *fmt, ...);
static long ms_since(const struct timespec *start);

/* The tree being written (DEST.tmp.PID), removed when the unpacker dies; empty when none. */
static char unpacking[PATH_MAX];

/* Set in each thread while it decodes frames: a failure there returns to it (see decode_frames)
 * instead of exiting, so that the tree is removed only once no thread writes into it any more. */
static __thread jmp_buf *decoding;
/* Set by the first failure of a decoding thread: the others stop at their next record. */
static atomic_int decode_failed;
/* Whether this thread is the one whose failure stopped the others (it reports; they keep quiet). */
static __thread int reporting;

/* Whether this thread reports its failure: always outside decode_frames; there, only the first. */
static int first_failure(void) {
    if (decoding == NULL || reporting) return 1;
    int none = 0;
    if (atomic_compare_exchange_strong(&decode_failed, &none, 1)) {
        reporting = 1;
        return 1;
    }
    return 0;
}

/* Removes the half-written tree (and its list) and exits 1. */
static void remove_unpacking_and_exit(void) {
    if (unpacking[0] != '\0') {
        nftw(unpacking, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        char list[PATH_MAX + 8];
        snprintf(list, sizeof list, "%s.list", unpacking);
        unlink(list);
    }
    exit(1);
}

static void die(const char *what, const char *path) {
    if (first_failure()) {
        fprintf(stderr, "slipway: cannot unpack the runtime: %s%s%s: %s\n",
                what, path ? " " : "", path ? path : "", errno ? strerror(errno) : "corrupt payload");
    }
    if (decoding != NULL) longjmp(*decoding, 1);
    remove_unpacking_and_exit();
}

static int mkdirs(const char *path, mode_t mode) {
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) { errno = ENAMETOOLONG; return -1; }
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, mode) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, mode) != 0 && errno != EEXIST) return -1;
    return 0;
}

/* Creates the directories above path (mode 0755 after the umask). Frames are decoded in parallel,
 * so a file's directory record may sit in a frame that another thread has not reached yet; that
 * record then finds the directory there and sets its mode. */
static int mkparents(const char *path) {
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash == NULL || slash == parent) { errno = ENOENT; return -1; }
    *slash = '\0';
    return mkdirs(parent, 0755);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void) st; (void) flag; (void) ftw;
    return remove(path);
}

/* The largest window (log2 bytes) the decoder accepts: that of the build's frames
 * (Launcher.WINDOW_LOG, 4 MiB; change both together). */
#define MAX_WINDOW_LOG 22

/* One zstd frame of the payload and its decoder: the frame's bytes are mapped from SELF, and
 * ZSTD_decompressStream turns them into records. */
struct payload {
    ZSTD_DStream *ds;
    ZSTD_inBuffer in;   /* the whole frame */
    size_t frame_left;  /* the last ZSTD_decompressStream hint: 0 when the frame just ended */
    unsigned char *outbuf;
    size_t outcap, outpos, outlen;
};

static void bad_payload(const char *what, size_t code) {
    if (first_failure()) {
        fprintf(stderr, "slipway: cannot unpack the runtime: damaged payload (%s%s%s)\n", what,
                code ? ": " : "", code ? ZSTD_getErrorName(code) : "");
    }
    errno = 0;
    die("refusing the damaged payload of the single file", NULL);
}

/* Decodes more of the frame into p->outbuf; returns 0 at the frame's end, after zstd checked its
 * content checksum. */
static int refill(struct payload *p) {
    p->outpos = p->outlen = 0;
    for (;;) {
        if (p->in.pos == p->in.size && p->frame_left == 0) return 0;
        /* At the end of the input too: the decoder may still hold output to flush. */
        ZSTD_outBuffer out = { p->outbuf, p->outcap, 0 };
        size_t r = ZSTD_decompressStream(p->ds, &out, &p->in);
        if (ZSTD_isError(r)) bad_payload("zstd", r);
        p->frame_left = r;
        if (out.pos > 0) {
            p->outlen = out.pos;
            return 1;
        }
        if (p->in.pos == p->in.size) {
            if (r != 0) bad_payload("it ends in the middle of a frame: a truncated file", 0);
            return 0;
        }
    }
}

/* The message for output that ends inside a record: the last frame of a cut file, or a record
 * that another writer split across frames (this format never does: each frame holds whole records). */
static const char *cut_record = "it ends before its end record: a truncated file";

/* Makes sure that output is there to read; fails on the frame's end. */
static void need_output(struct payload *p) {
    if (p->outpos == p->outlen && !refill(p)) bad_payload(cut_record, 0);
}

static void read_exact(struct payload *p, void *buf, size_t n) {
    char *dst = buf;
    while (n > 0) {
        need_output(p);
        size_t chunk = p->outlen - p->outpos < n ? p->outlen - p->outpos : n;
        memcpy(dst, p->outbuf + p->outpos, chunk);
        p->outpos += chunk;
        dst += chunk;
        n -= chunk;
    }
}

static uint64_t read_be(struct payload *p, int bytes) {
    unsigned char b[8];
    uint64_t v = 0;
    read_exact(p, b, (size_t) bytes);
    for (int i = 0; i < bytes; i++) v = (v << 8) | b[i];
    return v;
}

/* Reads a length-prefixed relative path and joins it under root; rejects absolute and ".." paths. */
static void read_path(struct payload *pl, const char *root, char *out, size_t outlen) {
    char rel[PATH_MAX];
    size_t n = (size_t) read_be(pl, 2);
    if (n == 0 || n >= sizeof rel) { errno = 0; die("bad path length", NULL); }
    read_exact(pl, rel, n);
    rel[n] = '\0';
    if (rel[0] == '/' || strcmp(rel, "..") == 0 || strncmp(rel, "../", 3) == 0
        || strstr(rel, "/../") != NULL || (n >= 3 && strcmp(rel + n - 3, "/..") == 0)) {
        errno = 0;
        die("unsafe path in payload", rel);
    }
    if ((size_t) snprintf(out, outlen, "%s/%s", root, rel) >= outlen) {
        errno = ENAMETOOLONG;
        die("path too long", rel);
    }
}

/* The decoder's memory: its window (2^22 bytes for the build's payload, MAX_WINDOW_LOG) comes from
 * its own mapping with transparent huge pages asked for (madvise(2) MADV_HUGEPAGE; ignored where the
 * kernel has none or they are off). Page by page, a 2^24 window took some 4,000 page faults, a fifth
 * of the unpacker's CPU time on a virtual machine; with huge pages a first run took about 800 in all
 * (docs/benchmarks.md). Small blocks come from malloc. Each block starts with its size, so that
 * free knows which it is. */
#define BIG_BLOCK (1UL << 20)
#define BLOCK_HEADER 64
static void *decoder_alloc(void *opaque, size_t size) {
    (void) opaque;
    size_t total = size + BLOCK_HEADER;
    char *p;
    if (size >= BIG_BLOCK) {
        p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return NULL;
        madvise(p, total, MADV_HUGEPAGE);
    } else {
        p = malloc(total);
        if (p == NULL) return NULL;
    }
    memcpy(p, &total, sizeof total);
    return p + BLOCK_HEADER;
}

static void decoder_free(void *opaque, void *address) {
    (void) opaque;
    if (address == NULL) return;
    char *p = (char *) address - BLOCK_HEADER;
    size_t total;
    memcpy(&total, p, sizeof total);
    if (total - BLOCK_HEADER >= BIG_BLOCK) munmap(p, total); else free(p);
}

/* One frame of the payload: its bytes, and the "SIZE PATH" lines of the files it holds. */
struct frame {
    const unsigned char *src;
    size_t size;
    char *list;
    size_t listlen;
};

/* What the decoding threads share: the frames, where the tree goes, the files' time. */
struct unpack_job {
    const char *self, *root;
    struct frame *frames;
    int count;
    struct timespec times[2];
};

/* One decoding thread: its decoder, and the frames it decodes (indexes, in this order). The first
 * thread's first frame is frame 0, whose header it has read already. */
struct decoder {
    struct unpack_job *job;
    struct payload pl;
    int *mine;
    int nmine;
    int failed;
    long cpu_ms;  /* the thread's CPU time when it was done */
    pthread_t thread;
};

/* Starts a decoder (its window is allocated by the first frame). */
static void start_decoder(struct decoder *d, struct unpack_job *job) {
    d->job = job;
    ZSTD_customMem mem = { decoder_alloc, decoder_free, NULL };
    d->pl.ds = ZSTD_createDStream_advanced(mem);
    if (d->pl.ds == NULL) { errno = ENOMEM; die("cannot start the decoder for", job->self); }
    /* No more memory than the build's frames need: a frame with a larger window is refused as
     * damaged (ZSTD_error_frameParameter_windowTooLarge). */
    ZSTD_DCtx_setParameter(d->pl.ds, ZSTD_d_windowLogMax, MAX_WINDOW_LOG);
    d->pl.outcap = 1 << 18;
    d->pl.outbuf = malloc(d->pl.outcap);
    d->mine = malloc((size_t) job->count * sizeof *d->mine);
    if (d->pl.outbuf == NULL || d->mine == NULL) { errno = ENOMEM; die("cannot read", job->self); }
}

/* Points the decoder at a frame's bytes. */
static void begin_frame(struct payload *pl, const struct frame *f) {
    pl->in.src = f->src;
    pl->in.size = f->size;
    pl->in.pos = 0;
    pl->frame_left = 1;
    pl->outpos = pl->outlen = 0;
}

/* Creates path with open(2)'s flags and mode, making its directories when they are not there yet. */
static int create_file(const char *path, mode_t mode) {
    int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (out < 0 && errno == ENOENT && mkparents(path) == 0) {
        out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    }
    return out;
}

/* Writes the records of frame index under the job's root, up to the frame's end; the last frame
 * must end with the end record and nothing after it, and no other frame may hold one. */
static void decode_records(struct unpack_job *job, struct payload *pl, int index) {
    struct frame *f = &job->frames[index];
    int last = index == job->count - 1;
    FILE *manifest = open_memstream(&f->list, &f->listlen);
    if (manifest == NULL) die("cannot list the files of", job->self);
    char path[PATH_MAX], target[PATH_MAX];
    const char *root = job->root;
    for (;;) {
        /* Another thread failed: the tree is being given up. */
        if (atomic_load(&decode_failed)) die("stopped", NULL);
        if (pl->outpos == pl->outlen && !refill(pl)) {
            if (last) bad_payload(cut_record, 0);
            break;
        }
        unsigned char type;
        read_exact(pl, &type, 1);
        if (type == 'E') {
            if (!last || pl->outpos != pl->outlen || refill(pl)) bad_payload("bytes after its end record", 0);
            break;
        }
        read_path(pl, root, path, sizeof path);
        if (type == 'D') {
            mode_t mode = (mode_t) read_be(pl, 2);
            int made = mkdir(path, 0700);
            if (made != 0 && errno == ENOENT && mkparents(path) == 0) made = mkdir(path, 0700);
            if (made != 0 && errno != EEXIST) die("cannot create", path);
            if (chmod(path, mode | 0700) != 0) die("cannot chmod", path);
        } else if (type == 'F') {
            mode_t mode = (mode_t) read_be(pl, 2);
            uint64_t size = read_be(pl, 8);
            int out = create_file(path, mode);
            if (out < 0) die("cannot create", path);
            /* A name with a line break cannot be listed; it is not checked. */
            if (strchr(path, '\n') == NULL) {
                fprintf(manifest, "%llu %s\n", (unsigned long long) size, path + strlen(root) + 1);
            }
            /* Straight from the decoder's output: no copy in between. */
            while (size > 0) {
                need_output(pl);
                size_t chunk = pl->outlen - pl->outpos;
                if (chunk > size) chunk = (size_t) size;
                for (size_t done = 0; done < chunk;) {
                    ssize_t w = write(out, pl->outbuf + pl->outpos + done, chunk - done);
                    if (w < 0) { if (errno == EINTR) continue; die("cannot write", path); }
                    done += (size_t) w;
                }
                pl->outpos += chunk;
                size -= chunk;
            }
            if (futimens(out, job->times) != 0) die("cannot set the time of", path);
            if (close(out) != 0) die("cannot write", path);
        } else if (type == 'L') {
            size_t n = (size_t) read_be(pl, 2);
            if (n == 0 || n >= sizeof target) { errno = 0; die("bad link target in", path); }
            read_exact(pl, target, n);
            target[n] = '\0';
            if (target[0] == '/') { errno = 0; die("absolute link target in", path); }
            int made = symlink(target, path);
            if (made != 0 && errno == ENOENT && mkparents(path) == 0) made = symlink(target, path);
            if (made != 0) die("cannot create link", path);
        } else {
            errno = 0;
            die("unknown record in", job->self);
        }
    }
    if (fclose(manifest) != 0) die("cannot list the files of", job->self);
}

/* A decoding thread's work: its frames in order. A failure returns here (see die). */
static void *decode_frames(void *arg) {
    struct decoder *d = arg;
    jmp_buf here;
    if (setjmp(here) != 0) {
        decoding = NULL;
        d->failed = 1;
        return NULL;
    }
    decoding = &here;
    for (int i = 0; i < d->nmine; i++) {
        /* Frame 0 is under way: the header was read from it. */
        if (d->mine[i] != 0) begin_frame(&d->pl, &d->job->frames[d->mine[i]]);
        decode_records(d->job, &d->pl, d->mine[i]);
    }
    decoding = NULL;
    struct timespec cpu;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0) d->cpu_ms = cpu.tv_sec * 1000L + cpu.tv_nsec / 1000000L;
    return NULL;
}

/* How many threads decode: SLIPWAY_UNPACK_THREADS (1 or 2) when set, else 2 when this process may
 * run on two CPUs or more (sched_getaffinity(2): a container's or taskset's limit counts). More do
 * not pay: a payload's frames are the runtime's, the dependency jars', the startup archive's and
 * small ones, and the runtime's alone takes about half of the decoding. */
static int decoding_threads(void) {
    const char *forced = getenv("SLIPWAY_UNPACK_THREADS");
    if (forced != NULL && (strcmp(forced, "1") == 0 || strcmp(forced, "2") == 0)) return forced[0] - '0';
    cpu_set_t cpus;
    return sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) >= 2 ? 2 : 1;
}

/* The payload is mapped: a single file cut short while it is read (say, overwritten in place)
 * raises SIGBUS on the missing pages. Said like any damaged payload; the half-written tree stays as
 * DEST.tmp.PID, which no reader takes, as after a crash. */
static void payload_vanished(int sig) {
    (void) sig;
    static const char msg[] = "slipway: cannot unpack the runtime: damaged payload (the file was cut short while it was read)\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void) ignored;
    _exit(1);
}

/* Unpacks the payload under root and lists every regular file as "SIZE PATH" in manifest, after
 * the header line with the files' time.
 *
 * The payload's frames are independent: each holds whole records (Launcher.writePayload closes a
 * frame only between records), so they are decoded on up to two threads at once (decoding is
 * almost all of the unpacker's CPU time). The frames are found first by their headers
 * (ZSTD_findFrameCompressedSize, which reads the block headers only) and shared out by compressed
 * size, the biggest first, each to the thread with less so far; the first thread starts with frame
 * 0, whose header gives the files' time. Each thread's decoder checks each of its frames' content
 * checksum at the frame's end. The first failure stops both threads at their next record; the tree
 * is removed once neither writes any more. */
static void unpack_into(const char *self, unsigned long long offset, const char *root, FILE *manifest) {
    int fd = open(self, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die("cannot open", self);
    struct stat st;
    if (stat_fd(fd, &st) != 0) die("cannot read", self);
    if ((unsigned long long) st.st_size < offset) bad_payload(cut_record, 0);
    void *map = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) die("cannot read", self);
    close(fd);
    struct sigaction bus;
    memset(&bus, 0, sizeof bus);
    bus.sa_handler = payload_vanished;
    sigaction(SIGBUS, &bus, NULL);

    struct unpack_job job;
    memset(&job, 0, sizeof job);
    job.self = self;
    job.root = root;
    const unsigned char *at = (const unsigned char *) map + offset;
    size_t left = (size_t) st.st_size - (size_t) offset;
    int cap = 0;
    while (left > 0) {
        size_t n = ZSTD_findFrameCompressedSize(at, left);
        if (ZSTD_isError(n)) {
            if (ZSTD_getErrorCode(n) == ZSTD_error_srcSize_wrong) bad_payload("it ends in the middle of a frame: a truncated file", 0);
            bad_payload("zstd", n);
        }
        if (job.count == cap) {
            cap = cap ? 2 * cap : 16;
            job.frames = realloc(job.frames, (size_t) cap * sizeof *job.frames);
            if (job.frames == NULL) { errno = ENOMEM; die("cannot read", self); }
        }
        job.frames[job.count].src = at;
        job.frames[job.count].size = n;
        job.frames[job.count].list = NULL;
        job.count++;
        at += n;
        left -= n;
    }
    if (job.count == 0) bad_payload(cut_record, 0);

    struct decoder decoders[2];
    memset(decoders, 0, sizeof decoders);
    int threads = job.count > 1 ? decoding_threads() : 1;
    for (int t = 0; t < threads; t++) start_decoder(&decoders[t], &job);

    struct payload *pl = &decoders[0].pl;
    begin_frame(pl, &job.frames[0]);
    char magic[5];
    read_exact(pl, magic, 5);
    if (memcmp(magic, "SLPW\003", 5) != 0) { errno = 0; die("not a Slipway payload:", self); }
    /* Files get the build's time, so that CDS/AOT caches, which check jar mtimes, stay valid. */
    job.times[0].tv_sec = job.times[1].tv_sec = (time_t) read_be(pl, 8);
    job.times[0].tv_nsec = job.times[1].tv_nsec = 0;
    fprintf(manifest, "%s%lld\n", MARKER_HEADER, (long long) job.times[0].tv_sec);

    /* The frames after 0, biggest first, each to the thread with fewer compressed bytes so far. */
    size_t load[2] = { job.frames[0].size, 0 };
    decoders[0].mine[decoders[0].nmine++] = 0;
    int *order = malloc((size_t) job.count * sizeof *order);
    if (order == NULL) { errno = ENOMEM; die("cannot read", self); }
    for (int i = 1; i < job.count; i++) {
        int j = i;
        while (j > 1 && job.frames[order[j - 1]].size < job.frames[i].size) { order[j] = order[j - 1]; j--; }
        order[j] = i;
    }
    for (int i = 1; i < job.count; i++) {
        int t = threads > 1 && load[1] < load[0] ? 1 : 0;
        load[t] += job.frames[order[i]].size;
        decoders[t].mine[decoders[t].nmine++] = order[i];
    }
    free(order);
    detail("decoding %d frames on %d thread%s (%.1f / %.1f MB compressed) ...", job.count, threads, threads > 1 ? "s" : "",
         load[0] / 1e6, load[1] / 1e6);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);

    int started = 1;
    if (threads > 1 && pthread_create(&decoders[1].thread, NULL, decode_frames, &decoders[1]) != 0) {
        /* No second thread: this one decodes its frames too. */
        started = 0;
        for (int i = 0; i < decoders[1].nmine; i++) decoders[0].mine[decoders[0].nmine++] = decoders[1].mine[i];
    }
    decode_frames(&decoders[0]);
    if (threads > 1 && started) pthread_join(decoders[1].thread, NULL);
    if (decoders[0].failed || decoders[1].failed) remove_unpacking_and_exit();
    /* The main thread's CPU time counts what it did before (reading the marker, mkdir) too. */
    detail("decoded in %ld ms (CPU time of the threads: %ld / %ld ms)", ms_since(&start), decoders[0].cpu_ms, decoders[1].cpu_ms);

    for (int i = 0; i < job.count; i++) {
        if (job.frames[i].listlen > 0 && fwrite(job.frames[i].list, 1, job.frames[i].listlen, manifest) != job.frames[i].listlen) {
            die("cannot write the list of", root);
        }
        free(job.frames[i].list);
    }
    for (int t = 0; t < threads; t++) {
        ZSTD_freeDStream(decoders[t].pl.ds);
        free(decoders[t].pl.outbuf);
        free(decoders[t].mine);
    }
    free(job.frames);
    munmap(map, (size_t) st.st_size);
}

enum tree_state { TREE_ABSENT, TREE_WHOLE, TREE_DAMAGED };

/* Checks a published tree against its marker (see the header). On damage, writes what is wrong
 * into why. */
static enum tree_state check_tree(const char *dir, char *why, size_t whylen) {
    char marker[PATH_MAX], path[PATH_MAX];
    struct stat st;
    snprintf(marker, sizeof marker, "%s/%s", dir, COMPLETE_MARKER);
    FILE *f = fopen(marker, "re");
    if (f == NULL) return TREE_ABSENT;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long long mtime = 0;
    enum tree_state state = TREE_WHOLE;
    if ((len = getline(&line, &cap, f)) < 0 || strncmp(line, MARKER_HEADER, strlen(MARKER_HEADER)) != 0) {
        snprintf(why, whylen, "its marker lists no files (an older unpacker made it)");
        state = TREE_DAMAGED;
    } else {
        mtime = strtoll(line + strlen(MARKER_HEADER), NULL, 10);
    }
    while (state == TREE_WHOLE && (len = getline(&line, &cap, f)) >= 0) {
        if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
        char *end;
        errno = 0;
        unsigned long long size = strtoull(line, &end, 10);
        if (errno != 0 || *end != ' ') {
            snprintf(why, whylen, "its marker is damaged");
            state = TREE_DAMAGED;
        } else if ((size_t) snprintf(path, sizeof path, "%s/%s", dir, end + 1) >= sizeof path) {
            snprintf(why, whylen, "a path in its marker is too long");
            state = TREE_DAMAGED;
        } else if (lstat_path(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            snprintf(why, whylen, "%s is missing", end + 1);
            state = TREE_DAMAGED;
        } else if ((unsigned long long) st.st_size != size) {
            snprintf(why, whylen, "%s has %lld bytes, not %llu", end + 1, (long long) st.st_size, size);
            state = TREE_DAMAGED;
        } else if ((long long) st.st_mtime != mtime) {
            snprintf(why, whylen, "%s was changed after it was unpacked", end + 1);
            state = TREE_DAMAGED;
        }
    }
    free(line);
    fclose(f);
    return state;
}

/* Whether this is the stub's prepare mode (SLIPWAY_PREPARE=1): unpack and dump, report, no app. */
static int prepare_mode;

static long ms_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000L + (now.tv_nsec - start->tv_nsec) / 1000000L;
}

/* Reports on stderr when SLIPWAY_VERBOSE is set or in the prepare mode; the first run is silent
 * otherwise. */
static void note(const char *fmt, ...) {
    if (getenv("SLIPWAY_VERBOSE") == NULL && !prepare_mode) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "slipway: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Reports on stderr when SLIPWAY_VERBOSE is set: what only a measurement needs, which the prepare
 * mode's report leaves out. */
static void detail(const char *fmt, ...) {
    if (getenv("SLIPWAY_VERBOSE") == NULL) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "slipway: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Replaces every "@HOME@" in line by home; returns a malloc'd string, or NULL when too long. */
static char *with_home(const char *line, const char *home) {
    size_t hl = strlen(home), n = 0;
    char buf[4 * PATH_MAX + 65536];
    for (const char *p = line; *p;) {
        if (strncmp(p, "@HOME@", 6) == 0) {
            if (n + hl >= sizeof buf) return NULL;
            memcpy(buf + n, home, hl);
            n += hl;
            p += 6;
        } else {
            if (n + 1 >= sizeof buf) return NULL;
            buf[n++] = *p++;
        }
    }
    buf[n] = '\0';
    return strdup(buf);
}

/* Records why a dump made no archive, so that it is not tried again (see the header). */
static void dump_failed(const char *dest, const char *fmt, ...) {
    char msg[512], path[PATH_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    note("class-data archive not made: %s", msg);
    if ((size_t) snprintf(path, sizeof path, "%s/%s", dest, DUMP_FAILED) >= sizeof path) return;
    FILE *f = fopen(path, "we");
    if (f == NULL) return;
    fprintf(f, "%s\n", msg);
    fclose(f);
}

/* The number of lines of a file, or -1 when it cannot be read. */
static long count_lines(const char *path) {
    FILE *f = fopen(path, "re");
    if (f == NULL) return -1;
    long n = 0;
    int c;
    while ((c = getc(f)) != EOF) {
        if (c == '\n') n++;
    }
    fclose(f);
    return n;
}

/* Reads DEST/app/app.jsa.args into argv (argv[0] = java, "@HOME@" replaced by dest). For a check
 * (check != NULL: the archive to check), "-Xshare:dump" becomes "-Xshare:on", the class list is
 * left out, and "-XX:SharedArchiveFile=CHECK" and "-version" follow; otherwise extra follows.
 * Returns argc, or -1 when the file cannot be read or is too long. */
static int read_args(const char *dest, char *java, char **argv, const char *check, char *extra) {
    char args_path[PATH_MAX];
    if ((size_t) snprintf(args_path, sizeof args_path, "%s/%s", dest, DUMP_ARGS) >= sizeof args_path) return -1;
    FILE *f = fopen(args_path, "re");
    if (f == NULL) return -1;
    int argc = 0;
    argv[argc++] = java;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int ok = 1;
    while ((len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (len == 0) continue;
        if (check != NULL && strncmp(line, "-XX:SharedClassListFile=", 24) == 0) continue;
        if (argc >= DUMP_MAX_ARGS) { ok = 0; break; }
        const char *word = check != NULL && strcmp(line, "-Xshare:dump") == 0 ? "-Xshare:on" : line;
        if ((argv[argc] = with_home(word, dest)) == NULL) { ok = 0; break; }
        argc++;
    }
    free(line);
    fclose(f);
    if (!ok) {
        for (int i = 1; i < argc; i++) free(argv[i]);
        return -1;
    }
    if (check != NULL) {
        argv[argc++] = strdup(check);
        argv[argc++] = strdup("-version");
    } else {
        argv[argc++] = strdup(extra);
    }
    argv[argc] = NULL;
    return argc;
}

/* Runs argv[0] with its output in log_path, in dest, with descriptor HOME_FD open on dest, for at
 * most timeout_s seconds. Returns the wait status, or -1 when it could not run, ran too long or was
 * lost; *waited_ms is how long it took. */
static int run_java(const char *dest, char **argv, const char *log_path, long timeout_s, long *waited_ms) {
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    *waited_ms = 0;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        /* The JVM's output must reach neither the user nor the stub, which reads our stdout: it goes
         * to log_path (there may be no /dev/null, as in a bare chroot). */
        int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (log < 0) _exit(125);
        dup2(log, 1);
        dup2(log, 2);
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0) dup2(null, 0);
        int home = open(dest, O_RDONLY | O_DIRECTORY);
        if (home < 0 || (home != HOME_FD && dup2(home, HOME_FD) < 0)) _exit(126);
        if (chdir(dest) != 0) _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) { status = -1; break; }
        *waited_ms = ms_since(&start);
        if (*waited_ms > timeout_s * 1000L) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            status = -1;
            break;
        }
        struct timespec pause = {0, 5 * 1000000L};
        nanosleep(&pause, NULL);
    }
    *waited_ms = ms_since(&start);
    return status;
}

/* Checks the archive made at build time (see the header) and links it to app/app.jsa when the JVM
 * maps it. Returns 1 when app/app.jsa is there, 0 when the archive must be dumped here. */
static int check_built(const char *dest) {
    char java[PATH_MAX], built[PATH_MAX], final[PATH_MAX], opt[PATH_MAX + 32], log_path[PATH_MAX];
    if ((size_t) snprintf(java, sizeof java, "%s/runtime/bin/java", dest) >= sizeof java
        || (size_t) snprintf(built, sizeof built, "%s/%s", dest, BUILT_ARCHIVE) >= sizeof built
        || (size_t) snprintf(final, sizeof final, "%s/%s", dest, DUMP_ARCHIVE) >= sizeof final
        || (size_t) snprintf(log_path, sizeof log_path, "%s/%s", dest, CHECK_LOG) >= sizeof log_path) {
        return 0;
    }
    snprintf(opt, sizeof opt, "-XX:SharedArchiveFile=%s", built);
    char *argv[DUMP_MAX_ARGS + 4];
    int argc = read_args(dest, java, argv, opt, NULL);
    if (argc < 0) return 0;
    long waited_ms;
    int status = run_java(dest, argv, log_path, CHECK_TIMEOUT_S, &waited_ms);
    for (int i = 1; i < argc; i++) free(argv[i]);
    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        if (link(built, final) == 0) {
            note("the class-data archive made at build time is mapped here (checked in %ld ms): %s", waited_ms, final);
            return 1;
        }
        note("cannot link %s to %s: %s; dumping the class-data archive here", built, final, strerror(errno));
        return 0;
    }
    note("the JVM refuses the class-data archive made at build time here (see %s); dumping it here", log_path);
    return 0;
}

/* Whether the archive made at build time can be used without the JVM's check (see the header):
 * the build left its trust marker, /proc/self/fd/N leads to this tree (the archive's class path),
 * and the heap's size, which decides compressed oops, cannot differ from the build's: the dump's
 * options fix it (-Xmx, -XX:MaxHeapSize) or this machine's memory is under TRUST_MAX_MEMORY, so
 * that the default of a quarter of it stays far below the 32 GB that compressed oops reach. Options
 * that set the oops or derive the heap from the memory always take the check. */
static int trusted(const char *dest) {
    char path[PATH_MAX], via[PATH_MAX + 32];
    struct stat st, vst;
    if ((size_t) snprintf(path, sizeof path, "%s/%s", dest, TRUST_MARKER) >= sizeof path || stat_path(path, &st) != 0) return 0;
    if ((size_t) snprintf(path, sizeof path, "%s/%s", dest, BUILT_ARCHIVE) >= sizeof path || stat_path(path, &st) != 0) return 0;
    int home = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (home < 0) return 0;
    snprintf(via, sizeof via, "/proc/self/fd/%d/%s", home, BUILT_ARCHIVE);
    int same = stat_path(via, &vst) == 0 && vst.st_dev == st.st_dev && vst.st_ino == st.st_ino;
    close(home);
    if (!same) return 0;
    if ((size_t) snprintf(path, sizeof path, "%s/%s", dest, DUMP_ARGS) >= sizeof path) return 0;
    FILE *f = fopen(path, "re");
    if (f == NULL) return 0;
    char *line = NULL;
    size_t cap = 0;
    int fixed = 0, ok = 1;
    while (getline(&line, &cap, f) >= 0) {
        if (strstr(line, "RAM") != NULL || strstr(line, "CompressedOops") != NULL
            || strstr(line, "CompressedClass") != NULL || strstr(line, "ObjectAlignment") != NULL
            || strstr(line, "HeapBase") != NULL) {
            ok = 0;
        }
        if (strncmp(line, "-Xmx", 4) == 0 || strncmp(line, "-XX:MaxHeapSize=", 16) == 0) fixed = 1;
    }
    free(line);
    fclose(f);
    if (!ok) return 0;
    if (fixed) return 1;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 && (double) pages * (double) page < TRUST_MAX_MEMORY;
}

/* Dumps the class-data archive of a published tree (see the header). Never fails: any problem
 * only means that the app runs without the archive. */
static void dump_archive(const char *dest) {
    char java[PATH_MAX], tmp[PATH_MAX], final[PATH_MAX], opt[PATH_MAX + 32], log_path[PATH_MAX];
    if ((size_t) snprintf(java, sizeof java, "%s/runtime/bin/java", dest) >= sizeof java
        || (size_t) snprintf(final, sizeof final, "%s/%s", dest, DUMP_ARCHIVE) >= sizeof final
        || (size_t) snprintf(log_path, sizeof log_path, "%s/%s", dest, DUMP_LOG) >= sizeof log_path
        || (size_t) snprintf(tmp, sizeof tmp, "%s.tmp.%ld", final, (long) getpid()) >= sizeof tmp) {
        return;
    }
    snprintf(opt, sizeof opt, "-XX:SharedArchiveFile=%s", tmp);
    char *argv[DUMP_MAX_ARGS + 4];
    int argc = read_args(dest, java, argv, NULL, opt);
    if (argc < 0) {
        char args_path[PATH_MAX];
        snprintf(args_path, sizeof args_path, "%s/%s", dest, DUMP_ARGS);
        struct stat ast;
        if (stat_path(args_path, &ast) == 0) dump_failed(dest, "%s is too long", DUMP_ARGS);
        return;
    }
    char list[PATH_MAX];
    snprintf(list, sizeof list, "%s/%s", dest, CLASS_LIST);
    long classes = count_lines(list);
    if (classes >= 0) {
        note("dumping the class-data archive from %ld trained classes (once per release; JDK 17-19) ...", classes);
    } else {
        note("dumping the class-data archive (once per release; JDK 17-19) ...");
    }
    long waited_ms;
    int status = run_java(dest, argv, log_path, DUMP_TIMEOUT_S, &waited_ms);
    for (int i = 1; i < argc; i++) free(argv[i]);
    struct stat st;
    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && stat_path(tmp, &st) == 0 && st.st_size > 0
        && rename(tmp, final) == 0) {
        note("dumped the class-data archive %s in %ld ms (%.1f MB)", final, waited_ms, st.st_size / 1048576.0);
        return;
    }
    unlink(tmp);
    if (status == -1) {
        dump_failed(dest, "the dump was stopped or lost after %ld ms", waited_ms);
    } else if (WIFEXITED(status)) {
        dump_failed(dest, "the dump exited with %d (see %s)", WEXITSTATUS(status), log_path);
    } else {
        dump_failed(dest, "the dump died of signal %d", WTERMSIG(status));
    }
}

/* Dumps the archive of a published tree unless it has none to dump (JDK 20+, or not trained),
 * has it already, or a dump failed before. */
static void finish_archive(const char *dest) {
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dest, DUMP_ARGS);
    if (stat_path(path, &st) != 0) {
        if (prepare_mode) note("no class-data archive to dump (the runtime is not JDK 17-19, or the build did not train)");
        return;
    }
    snprintf(path, sizeof path, "%s/%s", dest, DUMP_ARCHIVE);
    if (stat_path(path, &st) == 0) {
        if (prepare_mode) note("the class-data archive is there: %s", path);
        return;
    }
    snprintf(path, sizeof path, "%s/%s", dest, DUMP_FAILED);
    if (stat_path(path, &st) == 0) {
        if (prepare_mode) note("the class-data archive was not made before and is not tried again (see %s)", path);
        return;
    }
    snprintf(path, sizeof path, "%s/%s", dest, BUILT_ARCHIVE);
    if (stat_path(path, &st) == 0 && trusted(dest)) {
        char final[PATH_MAX];
        snprintf(final, sizeof final, "%s/%s", dest, DUMP_ARCHIVE);
        if (link(path, final) == 0) {
            note("the class-data archive made at build time is used here without a check (its class path leads here,"
                 " and this machine's heap keeps the build's compressed oops): %s", final);
            return;
        }
    }
    if (stat_path(path, &st) == 0 && check_built(dest)) return;
    dump_archive(dest);
}

/* Unpacks into dest unless already there. Returns 0 on success, -1 (errno set) if dest's parent
 * cannot be written, so that the caller may fall back. Dies on any other error. */
static int unpack(const char *self, unsigned long long offset, const char *dest) {
    char parent[PATH_MAX], lock[PATH_MAX], tmp[PATH_MAX], marker[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", dest);
    char *slash = strrchr(parent, '/');
    if (slash != NULL && slash != parent) *slash = '\0';
    if (mkdirs(parent, 0755) != 0) return -1;
    snprintf(lock, sizeof lock, "%s.lock", dest);
    int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lfd < 0) return -1;
    while (flock(lfd, LOCK_EX) != 0) {
        if (errno != EINTR) die("cannot lock", lock);
    }
    char why[PATH_MAX + 64];
    enum tree_state state = check_tree(dest, why, sizeof why);
    if (state == TREE_DAMAGED) {
        /* Always said: a damaged cache is news, and the run takes longer. */
        fprintf(stderr, "slipway: the unpacked tree %s is damaged (%s); unpacking it again\n", dest, why);
    }
    if (state != TREE_WHOLE) {
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        note("unpacking into %s ...", dest);
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", dest, (long) getpid());
        nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        if (mkdir(tmp, 0755) != 0) die("cannot create", tmp);
        snprintf(unpacking, sizeof unpacking, "%s", tmp);
        /* The list is written beside the tree and moved into it last: its presence means whole. */
        char list[PATH_MAX];
        snprintf(list, sizeof list, "%s.list", tmp);
        FILE *manifest = fopen(list, "we");
        if (manifest == NULL) die("cannot create", list);
        unpack_into(self, offset, tmp, manifest);
        if (fclose(manifest) != 0) die("cannot write", list);
        snprintf(marker, sizeof marker, "%s/%s", tmp, COMPLETE_MARKER);
        if (rename(list, marker) != 0) die("cannot create", marker);
        unpacking[0] = '\0';
        /* A leftover incomplete DEST (say, from an older unpacker) is moved aside first. */
        if (rename(tmp, dest) != 0) {
            if (errno != EEXIST && errno != ENOTEMPTY) die("cannot publish", dest);
            char aside[PATH_MAX];
            snprintf(aside, sizeof aside, "%s.old.%ld", dest, (long) getpid());
            if (rename(dest, aside) != 0 || rename(tmp, dest) != 0) die("cannot publish", dest);
            nftw(aside, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        }
        note("unpacked into %s in %ld ms", dest, ms_since(&start));
    } else if (prepare_mode) {
        note("already unpacked in %s", dest);
    }
    finish_archive(dest);
    close(lfd);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 5 || argc > 6) {
        fprintf(stderr, "usage: slipway-unpack SELF OFFSET KEY ROOT [SELF_TO_REMOVE]\n");
        return 2;
    }
    if (argc == 6) unlink(argv[5]);
    char *end;
    errno = 0;
    unsigned long long offset = strtoull(argv[2], &end, 10);
    if (errno != 0 || *end != '\0') { fprintf(stderr, "slipway: bad payload offset\n"); return 2; }
    const char *key = argv[3];
    if (*key == '\0' || strchr(key, '/') != NULL || strcmp(key, "..") == 0) {
        fprintf(stderr, "slipway: bad cache key\n");
        return 2;
    }
    umask(022);
    const char *prepare = getenv("SLIPWAY_PREPARE");
    prepare_mode = prepare != NULL && strcmp(prepare, "1") == 0;

    char dest[PATH_MAX];
    int primary_errno = 0;
    if (argv[4][0] != '\0') {
        if ((size_t) snprintf(dest, sizeof dest, "%s/run/%s", argv[4], key) >= sizeof dest) {
            errno = ENAMETOOLONG;
            die("cache path too long", argv[4]);
        }
        if (unpack(argv[1], offset, dest) == 0) {
            puts(dest);
            return 0;
        }
        primary_errno = errno;
    }
    /* No cache root, or a read-only one: a private directory under $TMPDIR. */
    const char *tmpdir = getenv("TMPDIR");
    if (tmpdir == NULL || *tmpdir == '\0') tmpdir = "/tmp";
    char base[PATH_MAX];
    snprintf(base, sizeof base, "%s/slipway-%ld", tmpdir, (long) getuid());
    if (mkdir(base, 0700) != 0 && errno != EEXIST) {
        errno = primary_errno ? primary_errno : errno;
        die("cannot write the cache", argv[4][0] ? argv[4] : base);
    }
    struct stat st;
    if (lstat_path(base, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid()
        || (st.st_mode & 077) != 0) {
        errno = EPERM;
        die("refusing a fallback directory that is not this user's alone:", base);
    }
    snprintf(dest, sizeof dest, "%s/run/%s", base, key);
    if (unpack(argv[1], offset, dest) != 0) die("cannot write", dest);
    puts(dest);
    return 0;
}

/*
 * libzstd's decoders of the legacy formats v0.5-v0.7 (2015-2016) left out. The payload is always
 * written in the current format (RFC 8878), but Debian's static libzstd is built with legacy
 * support, so ZSTD_decompressStream names these functions and the linker would pull in their
 * decoders: 94 KB of this program's 257 KB, 115 KB of every single file's stub. Defined here, they
 * keep those archive members out; a frame with a legacy magic number then fails like any damaged
 * payload (no decoder context: ZSTD_decompressStream returns an error). The signatures are those
 * of zstd 1.5's lib/legacy/zstd_v0N.h with the context types as void pointers.
 */
#define SLIPWAY_NO_LEGACY(v) \
    void *ZSTD##v##_createDCtx(void) { return NULL; } \
    size_t ZSTD##v##_freeDCtx(void *dctx) { (void) dctx; return 0; } \
    size_t ZSTD##v##_decompress_usingDict(void *dctx, void *dst, size_t dstCapacity, const void *src, \
                                          size_t srcSize, const void *dict, size_t dictSize) { \
        (void) dctx; (void) dst; (void) dstCapacity; (void) src; (void) srcSize; (void) dict; (void) dictSize; \
        return (size_t) -1; \
    } \
    size_t ZSTD##v##_getFrameParams(void *params, const void *src, size_t srcSize) { \
        (void) params; (void) src; (void) srcSize; \
        return (size_t) -1; \
    } \
    void ZSTD##v##_findFrameSizeInfoLegacy(const void *src, size_t srcSize, size_t *cSize, \
                                           unsigned long long *dBound) { \
        (void) src; (void) srcSize; \
        *cSize = (size_t) -1; \
        *dBound = ZSTD_CONTENTSIZE_ERROR; \
    } \
    void *ZBUFF##v##_createDCtx(void) { return NULL; } \
    size_t ZBUFF##v##_freeDCtx(void *zbd) { (void) zbd; return 0; } \
    size_t ZBUFF##v##_decompressInitDictionary(void *zbd, const void *dict, size_t dictSize) { \
        (void) zbd; (void) dict; (void) dictSize; \
        return (size_t) -1; \
    } \
    size_t ZBUFF##v##_decompressContinue(void *zbd, void *dst, size_t *dstCapacityPtr, const void *src, \
                                         size_t *srcSizePtr) { \
        (void) zbd; (void) dst; (void) dstCapacityPtr; (void) src; (void) srcSizePtr; \
        return (size_t) -1; \
    }
SLIPWAY_NO_LEGACY(v05)
SLIPWAY_NO_LEGACY(v06)
SLIPWAY_NO_LEGACY(v07)
