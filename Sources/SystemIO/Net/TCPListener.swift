import Glibc

/// A listening TCP socket on 127.0.0.1 and non-blocking accepted connections, for `forward`.
public final class TCPListener: Sendable {
    public let fd: Int32
    public let port: Int

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Binds 127.0.0.1:`port` (0 picks a free one).
    public init(port: Int) throws {
        let fd = CloseOnExec.socket(domain: AF_INET, type: Int32(SOCK_STREAM.rawValue))
        guard fd >= 0 else { throw Failure(description: "socket failed: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "cannot listen on 127.0.0.1:\(port): \(message)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        Self.setNonBlocking(fd)
    }

    deinit { close(fd) }

    /// A pending connection, non-blocking, or nil.
    public func accept() -> Int32? {
        let client = CloseOnExec.accept(fd)
        guard client >= 0 else { return nil }
        Self.setNonBlocking(client)
        var yes: Int32 = 1
        setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        return client
    }

    public static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }
}
