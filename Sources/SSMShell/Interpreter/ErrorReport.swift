import AWSCore
import ShellLanguage

/// How a command's failure reads (language page, section 1): the sentence and the exit status,
/// with the IAM statement to add when AWS refused an action.
extension Shell {
    /// Prints an error as the language page says: `FILE:LINE: message` in scripts.
    func report(_ error: any Error, at location: SourceLocation) -> Int32 {
        let (message, status) = describe(error)
        let prefix = interactive ? "" : "\(location.file):\(location.line): "
        console.err(prefix + message + "\n")
        return status
    }

    func describe(_ error: any Error) -> (String, Int32) {
        switch error {
        case let e as ShellError: return (e.message, e.status)
        case let e as Diagnostic: return (e.description, 2)
        case let e as AWSServiceError:
            if e.isAccessDenied {
                let action = Self.refusedAction(e)
                return ("\(e.description)\nssm-shell needs \(action) for this. Add this statement to your IAM policy:\n\(IAMActions.statement(for: action))", 1)
            }
            return (e.description, 1)
        default: return ("\(error)", 1)
        }
    }

    /// The IAM action named in an AccessDenied message, else the operation's.
    static func refusedAction(_ error: AWSServiceError) -> String {
        if let range = error.message.firstRange(of: "perform: ") {
            let rest = error.message[range.upperBound...]
            let action = rest.prefix { !$0.isWhitespace }
            if action.contains(":") { return String(action) }
        }
        return IAMActions.byOperation[error.operation] ?? "ssm:\(error.operation)"
    }
}
