import CSystem
import Glibc

/// Descriptors that no child inherits (issue 11, item 14): pipes, listening and accepted sockets
/// are created close-on-exec in the same call (pipe2, SOCK_CLOEXEC, accept4), and a spawned child
/// starts with only the descriptors it is given (posix_spawn_file_actions_addclosefrom_np), which
/// also keeps out those that libraries such as libcurl open without close-on-exec.
public enum CloseOnExec {
    /// SOCK_CLOEXEC, which Swift's Glibc module does not export: Linux defines it as O_CLOEXEC
    /// (include/linux/net.h), for the flags of socket(2) and accept4(2).
    static let socketFlag = O_CLOEXEC

    /// A pipe (read end, write end), both close-on-exec.
    public static func pipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        guard pipe2(&fds, O_CLOEXEC) == 0 else { return nil }
        return (fds[0], fds[1])
    }

    /// A socket, close-on-exec, or -1 with errno set.
    public static func socket(domain: Int32, type: Int32, protocol: Int32 = 0) -> Int32 {
        Glibc.socket(domain, type | socketFlag, `protocol`)
    }

    /// A pending connection on a listening socket, close-on-exec, or -1 with errno set.
    public static func accept(_ fd: Int32) -> Int32 { accept4(fd, nil, nil, socketFlag) }

    /// posix_spawn(p) of `argv` with clean signal state, the `redirects` (dup2 from onto to) and
    /// optionally /dev/null as stdin; every other descriptor from 3 up is closed in the child.
    /// Returns posix_spawn's result (0 or an errno value) and the child's pid.
    static func spawn(
        _ program: String, argv: [UnsafeMutablePointer<CChar>?], environment: UnsafePointer<UnsafeMutablePointer<CChar>?>?,
        searchPath: Bool, redirects: [(from: Int32, to: Int32)] = [], nullStandardInput: Bool = false
    ) -> (status: Int32, pid: Int32) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for redirect in redirects { posix_spawn_file_actions_adddup2(&actions, redirect.from, redirect.to) }
        if nullStandardInput { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        _ = withUnsafeMutablePointer(to: &actions) { posix_spawn_file_actions_addclosefrom_np(UnsafeMutableRawPointer($0), 3) }
        var pid: pid_t = 0
        let status = withCleanSpawnAttributes { attributes in
            searchPath
                ? posix_spawnp(&pid, program, &actions, attributes, argv, environment)
                : posix_spawn(&pid, program, &actions, attributes, argv, environment)
        }
        return (status, pid)
    }
}
