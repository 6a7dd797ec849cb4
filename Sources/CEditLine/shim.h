/* libedit, reached only through SystemIO. el_set/el_get/history are variadic: typed wrappers here.
 * stdin/stdout/stderr are passed from C because Swift 6 rejects the mutable C globals. */
#ifndef SSM_SHELL_CEDITLINE_SHIM_H
#define SSM_SHELL_CEDITLINE_SHIM_H
#include <stdio.h>
#include <histedit.h>

static inline EditLine *cedit_el_init(const char *prog) { return el_init(prog, stdin, stdout, stderr); }
static inline int cedit_el_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int cedit_history_setsize(History *h, HistEvent *ev, int n) { return history(h, ev, H_SETSIZE, n); }
static inline int cedit_history_enter(History *h, HistEvent *ev, const char *s) { return history(h, ev, H_ENTER, s); }
#endif
