import CCurl
import Glibc

/// Whether a TCP connect of the current transfer completed, asked of libcurl's own sockets while
/// libcurl holds them: when it closes one (CURLOPT_CLOSESOCKETFUNCTION) and, for those it keeps
/// (a live connection), when the transfer ends. This tells a slow TLS handshake or proxy CONNECT
/// from an endpoint that never answered; libcurl's connect time cannot: 7.88 sets it only once
/// the whole connect phase (TLS included) is done.
///
/// No copy of a socket is kept: a copy kept an attempt libcurl had left (a slow first address of
/// several) connecting in the kernel, and its late completion read as the endpoint answering
/// (session 8's last hostile reading). Used from the handle's one thread only.
final class CurlSocketWatch {
    /// Sockets opened by the current transfer that libcurl has not closed yet.
    private var open: Set<Int32> = []
    private var reached = false

    /// A new transfer: what earlier ones opened no longer counts.
    func begin() {
        open = []
        reached = false
    }

    /// libcurl made a socket for this transfer (CURLOPT_SOCKOPTFUNCTION, before its connect).
    func opened(_ fd: Int32) { open.insert(fd) }

    /// libcurl is done with a socket; it is connected or not right now, and closed here.
    func closing(_ fd: Int32) {
        if open.remove(fd) != nil && Self.isConnected(fd) { reached = true }
        close(fd)
    }

    /// Whether a socket of this transfer completed its TCP connect, at the transfer's end.
    func end() -> Bool {
        for fd in open where Self.isConnected(fd) { reached = true }
        open = []
        return reached
    }

    private static func isConnected(_ fd: Int32) -> Bool {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) == 0 }
        }
    }
}
