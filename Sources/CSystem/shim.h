/* glibc calls that Swift's Glibc module hides (they are declared only under _GNU_SOURCE), with
 * their glibc prototypes written in plain C types. They create descriptors close-on-exec in the
 * same call, so a child spawned by another thread at that moment never inherits them (setting
 * FD_CLOEXEC afterwards with fcntl races). No system header is included: the system's types must
 * keep belonging to Glibc, not to this module. */
#ifndef SSM_SHELL_CSYSTEM_SHIM_H
#define SSM_SHELL_CSYSTEM_SHIM_H

/* pipe2(2), glibc 2.9. */
extern int pipe2(int fds[2], int flags);
/* accept4(2), glibc 2.10; the address arguments are unused here (NULL). */
extern int accept4(int fd, void *address, void *length, int flags);
/* posix_spawn_file_actions_addclosefrom_np(3), glibc 2.34; `actions` is a
 * posix_spawn_file_actions_t *. */
extern int posix_spawn_file_actions_addclosefrom_np(void *actions, int from);

/* The release build's stamp: scripts/release-build compiles an object defining both strings,
 * outside the tree, and links it in. Weak, so a build without it (debug, tests) links too and
 * reads NULL: "development build". */
extern const char ssm_shell_build_commit[] __attribute__((weak));
extern const char ssm_shell_build_date[] __attribute__((weak));
static inline const char *ssm_shell_build_commit_text(void) { return ssm_shell_build_commit; }
static inline const char *ssm_shell_build_date_text(void) { return ssm_shell_build_date; }

#endif
