/// A stream URL that must not be dialled (unparsable, or plain ws:// to a remote host). Resuming
/// cannot help: the service hands out the same kind of URL again, so the session ends at once
/// with this sentence instead of spending the reconnect budget (issue 11, item 16).
struct UnusableStreamURL: Error, CustomStringConvertible {
    let description: String
}
