/* libedit, reached only through SystemIO. el_set/el_get/history are variadic: typed wrappers here.
 * stdin/stdout/stderr are passed from C because Swift 6 rejects the mutable C globals. */
#ifndef SSM_SHELL_CEDITLINE_SHIM_H
#define SSM_SHELL_CEDITLINE_SHIM_H
#include <stdio.h>
#include <histedit.h>

typedef char *(*cedit_prompt_fn)(EditLine *);
typedef unsigned char (*cedit_command_fn)(EditLine *, int);

static inline EditLine *cedit_el_init(const char *prog) { return el_init(prog, stdin, stdout, stderr); }
static inline int cedit_el_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int cedit_el_set_prompt(EditLine *el, cedit_prompt_fn f) { return el_set(el, EL_PROMPT, f); }
static inline int cedit_el_set_signal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
static inline int cedit_el_set_clientdata(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }
static inline void *cedit_el_get_clientdata(EditLine *el) { void *data = NULL; el_get(el, EL_CLIENTDATA, &data); return data; }
static inline int cedit_el_addfn(EditLine *el, const char *name, const char *help, cedit_command_fn f) { return el_set(el, EL_ADDFN, name, help, f); }
static inline int cedit_el_bind(EditLine *el, const char *key, const char *command) { return el_set(el, EL_BIND, key, command, NULL); }
static inline int cedit_el_set_history(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
static inline int cedit_history_setsize(History *h, HistEvent *ev, int n) { return history(h, ev, H_SETSIZE, n); }
static inline int cedit_history_enter(History *h, HistEvent *ev, const char *s) { return history(h, ev, H_ENTER, s); }
static inline int cedit_history_setunique(History *h, HistEvent *ev, int on) { return history(h, ev, H_SETUNIQUE, on); }
/* While editing, Ctrl-C reaches libedit as a key (not SIGINT), so it can clear the line. */
static inline int cedit_el_edit_without_isig(EditLine *el) { return el_set(el, EL_SETTY, "-d", "-isig", NULL); }
#endif
