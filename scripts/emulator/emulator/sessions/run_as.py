"""Whom a shell or command session runs as, decided as the agent decides it
(agent/session/shell/shell_unix.go StartCommandExecutor; the preferences reach it as the session
document's inputs runAsEnabled and runAsDefaultUser, agent/framework/docparser/docparser.go).
With run-as enabled the named user must exist and must not be uid 0: getUserCredentials refuses
uid or gid 0 with "invalid uid and gid". With run-as disabled an agent running as root creates
`ssm-user` (`useradd -m`, and a sudoers file; agent/session/utility/utility_unix.go) and runs the
session as that user.

By default the users are modelled on each node (a table of names and ids, `ssm-user` added to it
on first use), and the host's users are never changed: the process runs as the emulator's own user
and the session's user is a fact of the control API. Started with `--host-users`, the emulator
(as root) looks users up on this host, creates ssm-user there with useradd when it is missing, and
runs the process as the user, with HOME=/home/USER as the agent sets it."""
import os
import pwd
import subprocess

DEFAULT_RUN_AS_USER = "ssm-user"            # appconfig.DefaultRunAsUserName
MODELLED_USERS = {"root": (0, 0)}           # every node starts with these (name -> uid, gid)
SSM_USER_ID = 1001                          # the id `useradd -m ssm-user` gives on a fresh node


class RunAsFailure(Exception):
    """The agent's reason, as it ends "Unable to start command: <reason>"."""


class RunAs:
    """The session user: `name`, and for host users the ids the process takes."""

    def __init__(self, name, uid=None, gid=None, groups=None, home=None):
        self.name = name
        self.uid, self.gid, self.groups, self.home = uid, gid, groups, home

    @classmethod
    def decide(cls, node, enabled, user, host_users):
        """The session user for this node under the preferences runAsEnabled and runAsDefaultUser
        (or the principal's SSMSessionRunAs tag, which the agent gets as RunAsUser and prefers),
        or RunAsFailure."""
        if enabled:
            name = user
            if not name.strip():
                raise RunAsFailure("please set the RunAs default user")
            if lookup(node, name, host_users) is None:
                raise RunAsFailure("failed to start pty since RunAs user %s does not exist" % name)
        else:
            name = DEFAULT_RUN_AS_USER
            if lookup(node, name, host_users) is None:
                create(node, name, host_users=host_users)
        ids = lookup(node, name, host_users)
        if ids is None or ids[0] <= 0 or ids[1] <= 0:
            raise RunAsFailure("invalid uid and gid")   # shell_unix.go getUserCredentials
        if not host_users:
            return cls(name)
        return cls(name, ids[0], ids[1], os.getgrouplist(name, ids[1]), "/home/" + name)

    def apply(self, env, popen_args):
        """The environment and process arguments that make the process this user's."""
        if self.uid is None:
            return
        env["HOME"] = self.home
        # The node's directory is the emulator's (mode 0700): the user's process starts in its home,
        # or in / when it has none, as the agent's start in the agent's own directory.
        popen_args.update(user=self.uid, group=self.gid, extra_groups=self.groups,
                          cwd=self.home if os.path.isdir(self.home) else "/")


def lookup(node, name, host_users):
    """(uid, gid) of the user on the node, or None when there is none."""
    if host_users:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            return None
        return entry.pw_uid, entry.pw_gid
    return node.setdefault("users", dict(MODELLED_USERS)).get(name)


def create(node, name, host_users):
    """The agent's CreateLocalAdminUser: on the host only when asked to, else in the node's table."""
    if host_users:
        subprocess.run(["useradd", "-m", name], check=False, capture_output=True)
        return
    users = node.setdefault("users", dict(MODELLED_USERS))
    users[name] = (SSM_USER_ID, SSM_USER_ID)
