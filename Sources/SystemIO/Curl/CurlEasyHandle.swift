import CCurl

/// The one owner of a curl easy handle: it is freed in `deinit` and nowhere else, so an error
/// path can simply throw or return (a second curl_easy_cleanup is a double free). Used from one
/// thread at a time, like the handle itself.
final class CurlEasyHandle {
    let raw: UnsafeMutableRawPointer
    /// Watches the handle's sockets until libcurl closes them. A connection remembers the close
    /// callback's pointer and may be closed in a later transfer or in curl_easy_cleanup, so the
    /// watch lives as long as the handle (deinit's body runs before the properties go).
    let sockets = CurlSocketWatch()

    /// nil when libcurl cannot allocate a handle.
    init?() {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
    }

    deinit { curl_easy_cleanup(raw) }
}
