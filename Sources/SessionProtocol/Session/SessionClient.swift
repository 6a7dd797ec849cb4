/// What this client tells the agent about itself.
public enum SessionClient {
    /// Reported to the agent: at least 1.2.332.0, so smux keepalive is off and mux is chosen
    /// (data-channel spec 7.2).
    public static let version = "1.2.707.0"
}
