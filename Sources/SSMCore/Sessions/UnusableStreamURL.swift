/// A stream URL that must not be dialled (unparsable, or plain ws:// to a remote host). Resuming
/// cannot help: the service hands out the same kind of URL again, so the session ends at once
/// with this sentence instead of spending the reconnect budget (issue 11, item 16).
public struct UnusableStreamURL: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}
