/* run_files.c - which files a run writes; the refusal to replace existing ones silently, and with
 * --overwrite their replacement only once the new ones exist; sd_run: the run inside its log. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <hdf5.h>
#include "ckpt.h"
#include "config.h"
#include "dm.h"
#include "h5err.h"
#include "h5out.h"
#include "run_files.h"
#include "ranks.h"
#include "runlog.h"

/* path with its extension (after the last '.' of its last component) replaced by .log; a path
 * that would not change (x.log) gets .log appended. */
static int log_beside(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path, *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - path) : strlen(path);
    if (dot && !strcmp(dot, ".log")) n = strlen(path);
    if (n + 5 > len) return -1;
    memcpy(buf, path, n);
    memcpy(buf + n, ".log", 5);
    return 0;
}

/* path's canonical spelling: the real path of its directory and its last component (the file
 * itself may not exist yet), so that x.h5 and ./x.h5 compare equal; path itself when its
 * directory cannot be resolved (then opening it fails later anyway). */
static void canonical(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    char dir[SD_RUN_PATH_MAX], real[PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
    if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || !realpath(dir, real)) {
        snprintf(buf, len, "%s", path);
        return;
    }
    snprintf(buf, len, "%s%s%s", real, strcmp(real, "/") ? "/" : "", base);
}

/* The same file: by device and inode when both exist (hard and symbolic links), else by their
 * canonical spelling. */
static int same_path(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char ca[SD_RUN_PATH_MAX + PATH_MAX], cb[SD_RUN_PATH_MAX + PATH_MAX];
    canonical(a, ca, sizeof ca);
    canonical(b, cb, sizeof cb);
    return !strcmp(ca, cb);
}

/* What the domain's own output is called in messages ("trajectory", "exported mesh"). */
static const char *own_noun(const sd_graph *g)
{
    const sd_dm_class *c = sd_dm_class_of(g->domain.kind);
    return c && c->own_output_noun ? c->own_output_noun : "trajectory";
}

int sd_run_files_resolve(const sd_graph *g, const sd_run_opts *o, sd_run_files *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    const int none = o->out && !*o->out; /* --out "": no file but those named by their own option */
    const char *out = o->out ? o->out : g->output.file;
    if (*out && (g->output.nfields || g->output.nscalars)) f->out = out;
    if (o->trajectory && *o->trajectory && !g->output.trajectory[0]) {
        snprintf(err, errlen, "--trajectory %s: %s has no output.trajectory (it writes no trajectory to move)",
                 o->trajectory, g->path);
        return -1;
    }
    const char *own = o->trajectory ? o->trajectory : none ? "" : g->output.trajectory;
    if (*own) f->own = own;
    if (o->trace && *o->trace) f->trace = o->trace;
    if (f->out && g->output.nfields && sd_h5_xdmf_path_for(f->out, f->xmf, sizeof f->xmf) < 0) {
        snprintf(err, errlen, "%s: the output file's name is too long", f->out);
        return -1;
    }
    const char *log = o->log ? o->log : none ? "" : g->output.log;
    if (strlen(log) >= sizeof f->log) {
        snprintf(err, errlen, "%s: the log file's name is too long", log);
        return -1;
    }
    if (*log) snprintf(f->log, sizeof f->log, "%s", log);
    else if (!o->log && !none && (f->out || f->own) && log_beside(f->out ? f->out : f->own, f->log, sizeof f->log) < 0) {
        snprintf(err, errlen, "%s: the output file's name is too long", f->out ? f->out : f->own);
        return -1;
    }
    /* the writer's queue bound is the output's too: settled before anything starts */
    const char *q = getenv("STARDAG_OUTPUT_QUEUE");
    f->queue_bytes = (size_t)256 << 20;
    if (q && *q) {
        char *end;
        errno = 0;
        unsigned long long mib = strtoull(q, &end, 10);
        if (errno || *end || end == q || *q == '-' || mib > ((size_t)-1 >> 21)) {
            snprintf(err, errlen, "STARDAG_OUTPUT_QUEUE='%s': expected the output queue's size in MiB (an integer >= 0)", q);
            return -1;
        }
        f->queue_bytes = (size_t)mib << 20;
    }
    const char *what[SD_RUN_FILE_MAX] = {"output file", "XDMF sidecar", own_noun(g), "log", "trace"};
    const char *path[SD_RUN_FILE_MAX] = {f->out, f->xmf, f->own, f->log, f->trace};
    for (int i = 0; i < SD_RUN_FILE_MAX; i++)
        for (int j = i + 1; j < SD_RUN_FILE_MAX; j++)
            if (path[i] && *path[i] && path[j] && *path[j] && same_path(path[i], path[j])) {
                if (!strcmp(path[i], path[j]))
                    snprintf(err, errlen, "the %s and the %s are both '%s' (expected different files)", what[i], what[j], path[i]);
                else
                    snprintf(err, errlen, "the %s '%s' and the %s '%s' are the same file (expected different files)", what[i],
                             path[i], what[j], path[j]);
                return -1;
            }
    return 0;
}

int sd_run_clash_with_reads(const sd_graph *g, const sd_run_files *f, const sd_run_opts *o)
{
    const char *what[SD_RUN_FILE_MAX] = {"output file", "XDMF sidecar", own_noun(g), "log", "trace"};
    /* --out names a file even when the graph has nothing to write into it: refused all the same */
    const char *path[SD_RUN_FILE_MAX] = {f->out ? f->out : o->out, f->xmf, f->own, f->log, f->trace};
    for (int i = 0; i < SD_RUN_FILE_MAX; i++) {
        const char *r = path[i] && *path[i] ? sd_graph_read_file(g, path[i]) : NULL;
        if (!r) continue;
        char as[SD_RUN_PATH_MAX + 8] = "";
        if (strcmp(path[i], r)) snprintf(as, sizeof as, " (as %s)", r);
        sd_run_say_error(o, "%s: the %s %s is the file%s the graph reads its initial state from: writing it would "
                         "destroy what the run reads (expected another file)", g->path, what[i], path[i], as);
        return 1;
    }
    return 0;
}

static const char *aside_path(const sd_run_files *f, int i) { return i == 0 ? f->out : i == 1 ? f->xmf : f->own; }

/* What an existing path is when it is not a regular file ("a character device"), else NULL. */
static const char *not_regular(const struct stat *st)
{
    if (S_ISREG(st->st_mode)) return NULL;
    return S_ISCHR(st->st_mode) ? "a character device" : S_ISBLK(st->st_mode) ? "a block device" : S_ISDIR(st->st_mode) ? "a directory"
           : S_ISFIFO(st->st_mode) ? "a FIFO" : S_ISSOCK(st->st_mode) ? "a socket" : S_ISLNK(st->st_mode) ? "a symbolic link to no regular file"
           : "not a regular file";
}

/* An existing regular file at the run file's path that is not a stardag run file: what it is
 * ("not an HDF5 file"), else NULL. */
static const char *foreign_run_file(const char *path)
{
    sd_h5_quiet q = sd_h5_quiet_on();
    const char *why = NULL;
    if (H5Fis_hdf5(path) <= 0) why = "not an HDF5 file";
    else {
        hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (f < 0) why = "an HDF5 file that cannot be opened";
        else {
            if (H5Aexists(f, "stardag_format") <= 0) why = "an HDF5 file that is not a stardag run output";
            H5Fclose(f);
        }
    }
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    return why;
}

static void aside_name(const char *path, char *buf, size_t len) { snprintf(buf, len, "%s.replaced", path); }

int sd_run_files_refuse_existing(const sd_run_files *f, const sd_run_opts *o)
{
    int n = 0;
    /* a device or a directory is never written, moved aside or removed (an --overwrite run as root
     * would otherwise rename /dev/full away and delete it) */
    for (int i = 0; i < (int)sizeof f->aside; i++) {
        const char *p = aside_path(f, i), *what;
        struct stat st;
        if (!p || !*p || stat(p, &st) < 0 || !(what = not_regular(&st))) continue;
        sd_run_say_error(o, "%s is %s, not a regular file: the %s must be a regular file (choose another %s)", p, what,
                         i == 0 ? "output file" : i == 1 ? "XDMF sidecar" : "trajectory", i == 2 ? "--trajectory" : "--out");
        n++;
    }
    if (n) return n;
    /* an earlier --overwrite run killed between setting aside and dropping may have left the only
     * good copy there: the set-aside must not rename over it */
    for (int i = 0; !f->continuing && i < (int)sizeof f->aside; i++) {
        const char *p = aside_path(f, i);
        char old[SD_RUN_PATH_MAX + 16];
        struct stat st;
        if (!p || !*p) continue;
        aside_name(p, old, sizeof old);
        if (lstat(old, &st) < 0) continue;
        sd_run_say_error(o, "%s exists (left by an earlier --overwrite run that was killed? it may be the only good copy): "
                         "move it away", old);
        n++;
    }
    if (o->overwrite) return n;
    /* the remedy names the option that moves each file */
    const char *path[SD_RUN_FILE_MAX] = {f->out, f->xmf, f->own, f->log, f->trace};
    const char *opt[SD_RUN_FILE_MAX] = {"--out", "--out", "--trajectory", "--log", "--trace"};
    for (int i = 0; i < SD_RUN_FILE_MAX; i++) {
        struct stat st;
        if (f->continuing && i < 4) continue; /* a restart continues them; a trace is written anew */
        if (!path[i] || !*path[i] || lstat(path[i], &st) < 0) continue;
        const char *foreign = i == 0 ? foreign_run_file(path[i]) : NULL;
        if (foreign)
            sd_run_say_error(o, "%s exists and is %s (%lld bytes), not a stardag run file: remove it or choose another --out "
                             "(--overwrite would keep it as %s.replaced)", path[i], foreign, (long long)st.st_size, path[i]);
        else sd_run_say_error(o, "%s exists: pass --overwrite, remove it, or choose another %s", path[i], opt[i]);
        n++;
    }
    return n;
}

int sd_run_files_set_aside(sd_run_files *f, char *err, size_t errlen)
{
    char old[SD_RUN_PATH_MAX + 16];
    if (f->continuing) return 0; /* a restart continues its files in place */
    for (int i = 0; i < (int)sizeof f->aside; i++) {
        const char *p = aside_path(f, i);
        struct stat st;
        if (!p || !*p || lstat(p, &st) < 0) continue;
        aside_name(p, old, sizeof old);
        const char *foreign = i == 0 ? foreign_run_file(p) : NULL;
        if (rename(p, old) < 0) {
            snprintf(err, errlen, "%s: cannot move the old file aside to %s: %s", p, old, strerror(errno));
            sd_run_files_restore(f);
            return -1;
        }
        f->aside[i] = 1;
        if (foreign) { /* not a run this --overwrite replaces: never destroyed */
            f->keep[i] = 1;
            fprintf(stderr, "stardag: warning: %s was %s, not a stardag run file: --overwrite moved it to %s and keeps it there\n",
                    p, foreign, old);
        }
    }
    return 0;
}

void sd_run_files_drop_aside(sd_run_files *f)
{
    char old[SD_RUN_PATH_MAX + 16];
    for (int i = 0; i < (int)sizeof f->aside; i++)
        if (f->aside[i] && f->keep[i]) f->aside[i] = 0; /* kept: it is the user's */
        else if (f->aside[i]) {
            aside_name(aside_path(f, i), old, sizeof old);
            if (unlink(old) < 0) fprintf(stderr, "stardag: warning: cannot remove the replaced file %s: %s\n", old, strerror(errno));
            f->aside[i] = 0;
        }
}

void sd_run_files_restore(sd_run_files *f)
{
    char old[SD_RUN_PATH_MAX + 16];
    for (int i = 0; i < (int)sizeof f->aside; i++)
        if (f->aside[i]) {
            const char *p = aside_path(f, i);
            aside_name(p, old, sizeof old);
            if (rename(old, p) < 0)
                fprintf(stderr, "stardag: %s: cannot put the old file back from %s: %s\n", p, old, strerror(errno));
            f->aside[i] = f->keep[i] = 0;
        }
}

static int run_files(const sd_graph *g, const sd_run_opts *o);

int sd_run(const sd_graph *g, const sd_run_opts *o)
{
    /* a file-size limit then fails the write (EFBIG, reported) instead of killing the process; the
     * old disposition comes back after (the Python package runs in a long-lived process) */
    void (*xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
    int status = run_files(g, o);
    if (xfsz != SIG_ERR) signal(SIGXFSZ, xfsz);
    return status;
}

/* Each file's folder exists and takes new files, in the order output, trajectory, log, trace: a
 * file written late (the trace, at the end) is refused before the run, and a missing folder is
 * named for the file the user asked for, not for the log beside it. 0, or 1 with the error said. */
static int folders_refused(const sd_graph *g, const sd_run_files *f, const sd_run_opts *o)
{
    const char *path[] = {f->out, f->own, f->log, f->trace};
    const char *what[] = {"output file", own_noun(g), "log", "trace"};
    for (int i = 0; i < 4; i++) {
        if (!path[i] || !*path[i]) continue;
        struct stat st;
        if (stat(path[i], &st) == 0) { /* one that exists is written in place (or moved aside: judged later) */
            if (!S_ISDIR(st.st_mode) && access(path[i], W_OK) < 0) {
                sd_run_say_error(o, "%s: cannot write the %s: %s", path[i], what[i], strerror(errno));
                return 1;
            }
            continue;
        }
        char dir[SD_RUN_PATH_MAX];
        const char *slash = strrchr(path[i], '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path[i]) + !(slash - path[i]) : 1, slash ? path[i] : ".");
        const char *why = stat(dir, &st) < 0 ? strerror(errno) : !S_ISDIR(st.st_mode) ? "not a folder"
                          : access(dir, W_OK | X_OK) < 0 ? strerror(errno) : NULL;
        if (why) {
            sd_run_say_error(o, "%s: cannot create the %s there: its folder %s: %s", path[i], what[i], dir, why);
            return 1;
        }
    }
    return 0;
}

/* The run's own files usable (not refused, not what the graph reads) and its log open. 0, or the
 * exit status with the error said. */
static int open_files(const sd_graph *g, const sd_run_opts *o, sd_run_files *files, sd_runlog **log)
{
    char err[1024];
    if (sd_run_clash_with_reads(g, files, o)) return SD_EXIT_BADGRAPH;
    if (o->restart && *o->restart) files->continuing = o->restart;
    if (sd_run_files_refuse_existing(files, o) > 0) return SD_EXIT_BADGRAPH;
    if (folders_refused(g, files, o)) return SD_EXIT_RUNTIME;
    if (files->log[0] && !(*log = (files->continuing ? sd_runlog_append : sd_runlog_open)(files->log, err, sizeof err))) {
        sd_run_say_error(o, "%s", err);
        return SD_EXIT_RUNTIME;
    }
    return 0;
}

static int run_files(const sd_graph *g, const sd_run_opts *o)
{
    if (o->errors && o->errors_len) o->errors[0] = 0;
    if (sd_ranks_launched() && !sd_ranks_on() && sd_ranks_launch_size() > 1) {
        /* every process would write the same files: only the CLI joins the ranks (it checks that
         * all loaded the same graph before any of them starts) */
        sd_run_say_error(o, "%s: started by mpirun with %d processes, but this program did not join them: distributed "
                         "runs are `mpirun ... stardag run FILE` (docs/distributed.md); the library's callers (the "
                         "Python package) run one process", g->path, sd_ranks_launch_size());
        return SD_EXIT_RUNTIME;
    }
    sd_run_files files;
    char err[1024];
    if (sd_run_files_resolve(g, o, &files, err, sizeof err) < 0) {
        sd_run_say_error(o, "%s: %s", g->path, err);
        return SD_EXIT_BADGRAPH;
    }
    if (sd_ranks_rank() != 0) { /* a distributed run's files are rank 0's alone */
        files.out_on_rank0 = files.out != NULL;
        files.out = files.trace = NULL; /* own stays: the domain submits its snapshots; rank 0 writes */
        files.xmf[0] = files.log[0] = 0;
        int status = sd_run_ranks_agree(0); /* rank 0 found its files usable */
        return status ? status : sd_run_loop(g, o, &files, NULL);
    }
    sd_runlog *log = NULL;
    struct stat st;
    /* a log this run makes, of a run refused at start (a bad option: exit 2) that made no output:
     * removed after, so that the corrected command is not refused for it (the error is said on
     * stderr and to the caller); a runtime failure keeps its log */
    const char *made = files.out ? files.out : files.own;
    const int fresh_log = files.log[0] && !o->restart && stat(files.log, &st) < 0 && made;
    int status = open_files(g, o, &files, &log);
    if ((status = sd_run_ranks_agree(status))) return status; /* the other ranks stop with it */
    char host[256] = "", start[64] = "";
    gethostname(host, sizeof host - 1);
    time_t tt = time(NULL);
    strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
    sd_runlog_line(log, "stardag %s: %s", PACKAGE_VERSION, o->cmdline ? o->cmdline : g->path);
    sd_runlog_line(log, "graph %s, host %s, started %s", g->path, host, start);
    if (files.continuing) { /* the run loop judges the checkpoint; the log says where the run picks up */
        sd_ckpt_in *in = sd_ckpt_open(files.continuing, err, sizeof err);
        if (in) sd_runlog_line(log, "restarted from %s at step %lld", files.continuing, (long long)sd_ckpt_step(in));
        else sd_runlog_line(log, "restart from %s: %s", files.continuing, err);
        sd_ckpt_close(in);
    }
    status = sd_run_loop(g, o, &files, log);
    sd_runlog_line(log, "exit status %d", status);
    if (sd_runlog_close(log, err, sizeof err) < 0) {
        sd_run_say_error(o, "%s", err);
        if (!status) status = SD_EXIT_RUNTIME;
    }
    if (status == SD_EXIT_BADGRAPH && fresh_log && stat(made, &st) < 0 && unlink(files.log) < 0)
        sd_run_say_error(o, "warning: cannot remove the log %s of the refused run: %s", files.log, strerror(errno));
    return status;
}

int sd_make_dirs(const char *dir)
{
    char *d = strdup(dir);
    if (!d) return -1;
    for (char *p = d + 1; ; p++) {
        if (*p == '/' || !*p) {
            char c = *p;
            *p = 0;
            if (mkdir(d, 0777) < 0 && errno != EEXIST) { int e = errno; free(d); errno = e; return -1; }
            *p = c;
            if (!c) break;
        }
    }
    free(d);
    struct stat st;
    if (stat(dir, &st) < 0) return -1;
    if (!S_ISDIR(st.st_mode)) { errno = ENOTDIR; return -1; }
    return 0;
}
