/// The first message on a stream URL's WebSocket (data-channel spec 2.2): a text frame with the
/// session's token; binary ClientMessages only after it.
public enum OpenDataChannel {
    /// `requestId`: 16 random bytes; `clientId`: one per process, kept across reconnects.
    public static func message(token: String, requestId: [UInt8], clientId: String) -> [UInt8] {
        let text =
            "{\"MessageSchemaVersion\":\"1.0\",\"RequestId\":\"\(ClientMessage.uuidString(requestId))\",\"TokenValue\":\"\(JSONText.escape(token))\",\"ClientId\":\"\(JSONText.escape(clientId))\",\"ClientVersion\":\"\(SessionClient.version)\"}"
        return Array(text.utf8)
    }
}
