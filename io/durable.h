/* durable.h - the one place where stardag asks the kernel to make written bytes durable (fsync,
 * fdatasync, a directory's fsync after a rename), and the switch that turns it off.
 *
 * STARDAG_FSYNC=0 skips every such call: files are still written in the same order, through the
 * same temporary files and renames, so a killed process leaves them as consistent as ever, but a
 * power loss or an OS crash may lose or tear what the page cache still held. Meant for scratch
 * runs on file systems where syncs are slow (shared or virtual disks) and for the test suite,
 * whose runs need not survive a power loss; the durability and fault tests turn it back on.
 * Internal to libstardag. */
#ifndef STARDAG_IO_DURABLE_H
#define STARDAG_IO_DURABLE_H

/* 1 unless STARDAG_FSYNC is set to 0 (read at every call: cheap beside a sync). */
int sd_durable_on(void);

/* fsync / fdatasync of fd when durability is on; 0 without a call when off. -1 with errno. */
int sd_fsync(int fd);
int sd_fdatasync(int fd);

/* fsync the file or directory at path (opened read-only); 0, or -1 with errno. */
int sd_fsync_path(const char *path);

/* fsync the directory holding path (a rename or a new name made durable); 0, or -1 with errno. */
int sd_fsync_dir_of(const char *path);

#endif
