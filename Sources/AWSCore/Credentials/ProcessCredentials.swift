/// `credential_process`: a program that prints credentials as JSON (Version 1). Split
/// shell-style but not run through a shell, as the AWS CLI does.
enum ProcessCredentials {
    static func fetch(
        command: String, accountId: String?, profile: String, runner: any ProcessRunner,
        environment: Environment
    ) async throws -> Credentials {
        let argv = try ShellWords.split(command)
        guard !argv.isEmpty else { throw CredentialsError(message: "credential_process in profile \(profile) is empty.") }
        let result = try await runner.run(argv, environment: environment.values)
        guard result.status == 0 else {
            let stderr = String(decoding: result.standardError.prefix(2000), as: UTF8.self).trimmingWhitespace()
            throw CredentialsError(
                message:
                    "Error retrieving credentials: the credential_process of profile \(profile) (\(argv[0])) exited with code \(result.status)\(stderr.isEmpty ? "" : ": \(stderr)")."
            )
        }
        let json: JSONValue
        do { json = try JSONValue(parsing: result.standardOutput) } catch {
            // Where, not what: the text there may be part of a secret.
            throw CredentialsError(
                message:
                    "Error retrieving credentials from external process, could not parse response: invalid JSON in response from the credential_process of profile \(profile) (line \(error.line), column \(error.column))."
            )
        }
        guard json.object != nil else {
            throw CredentialsError(
                message:
                    "Error retrieving credentials from external process, could not parse response: invalid JSON in response from the credential_process of profile \(profile)."
            )
        }
        guard json["Version"]?.int == 1 else {
            throw CredentialsError(
                message: "The credential_process of profile \(profile) printed Version \(json["Version"]?.serialized ?? "none"); only Version 1 is supported.")
        }
        guard let key = json["AccessKeyId"]?.string, let secret = json["SecretAccessKey"]?.string else {
            throw CredentialsError(message: "The credential_process of profile \(profile) printed no AccessKeyId and SecretAccessKey.")
        }
        var expiration: Double?
        if let text = json["Expiration"]?.string {
            guard let parsed = CivilTime.parseISO8601(text) else {
                throw CredentialsError(message: "The credential_process of profile \(profile) printed an Expiration that is not an ISO-8601 time: \(text).")
            }
            expiration = parsed
        }
        return Credentials(
            accessKeyId: key, secretAccessKey: secret, sessionToken: json["SessionToken"]?.string,
            expiration: expiration, accountId: json["AccountId"]?.string ?? accountId,
            source: "credential_process (profile \(profile))")
    }
}

/// POSIX shell word splitting without expansion (quotes and backslashes), as Python's shlex.split.
public enum ShellWords {
    public static func split(_ text: String) throws(CredentialsError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escape = false
        for char in text {
            if escape {
                current.append(char); escape = false; inWord = true
                continue
            }
            switch (quote, char) {
            case (nil, "\\"), ("\"", "\\"): escape = true; inWord = true
            case (nil, "'"), (nil, "\""): quote = char; inWord = true
            case ("'", "'"), ("\"", "\""): quote = nil
            case (nil, " "), (nil, "\t"), (nil, "\n"):
                if inWord { words.append(current); current = ""; inWord = false }
            default: current.append(char); inWord = true
            }
        }
        if quote != nil || escape { throw CredentialsError(message: "The command \(text) has an unclosed quote or a trailing backslash.") }
        if inWord { words.append(current) }
        return words
    }
}
