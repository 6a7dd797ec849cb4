/// Reads a file a credential source needs (token files, the SSO cache); a missing or unreadable
/// file is a CredentialsError carrying `advice`.
func readCredentialFile(_ path: String, what: String, advice: String, fileSystem: any FileSystem) throws(CredentialsError) -> [UInt8] {
    let bytes: [UInt8]?
    do { bytes = try fileSystem.contents(of: path) } catch {
        throw CredentialsError(message: "Could not read \(what) \(path): \(error). \(advice)")
    }
    guard let bytes else {
        throw CredentialsError(
            message: "\(what.prefix(1).uppercased() + what.dropFirst()) \(path) does not exist: No such file or directory (os error 2). \(advice)")
    }
    return bytes
}
