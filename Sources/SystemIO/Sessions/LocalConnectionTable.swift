import Glibc
public import SessionProtocol
import Synchronization

/// The descriptors of a forward's local connections, by the number the session machine knows
/// them by. Numbers are never reused, so a stale poll entry never reaches a newer connection that
/// got the same descriptor. It outlives each WebSocket connection (a resume keeps the clients).
public final class LocalConnectionTable: Sendable {
    private struct Table {
        var descriptors: [LocalConnection: Int32] = [:]
        var next = 1
    }
    private let table = Mutex(Table())

    public init() {}

    /// Takes ownership of an accepted descriptor.
    public func add(_ fd: Int32) -> LocalConnection {
        table.withLock { table in
            let connection = LocalConnection(table.next)
            table.next += 1
            table.descriptors[connection] = fd
            return connection
        }
    }

    public func descriptor(_ connection: LocalConnection) -> Int32? { table.withLock { $0.descriptors[connection] } }

    /// Half-closes the writing side (the peer reads end of stream after what was written).
    public func shutdown(_ connection: LocalConnection) {
        guard let fd = descriptor(connection) else { return }
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Closes the connection; with `reset`, SO_LINGER 0 makes it an RST instead of a FIN.
    public func close(_ connection: LocalConnection, reset: Bool) {
        guard let fd = table.withLock({ $0.descriptors.removeValue(forKey: connection) }) else { return }
        if reset {
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
        _ = Glibc.close(fd)
    }

    /// Closes every connection still held.
    public func closeAll() {
        let all = table.withLock { table in
            defer { table.descriptors = [:] }
            return Array(table.descriptors.values)
        }
        for fd in all { _ = Glibc.close(fd) }
    }
}
