/// A command's failure: a sentence for the user and the exit status it means (language page,
/// section 1): 1 error, 2 usage (nothing was sent), 3 remote failure, 130 interrupted.
public struct ShellError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var status: Int32

    public init(_ message: String, status: Int32 = 1) {
        self.message = message
        self.status = status
    }

    public static func usage(_ message: String) -> ShellError { ShellError(message, status: 2) }
    public static func remote(_ message: String) -> ShellError { ShellError(message, status: 3) }

    public var description: String { message }
}
