/// One statement of a script (docs/language.md, Control flow): a command, a block around
/// statements (`if`, `for`, `def`, each closed by `end`), or a jump out of one (`break`,
/// `continue`, `return`). Commands keep their type, so what reads commands reads them as before.
public enum Statement: Sendable, Equatable {
    case command(Command)
    case conditional(Conditional)
    case loop(Loop)
    case definition(Definition)
    case jump(Jump)

    /// Every command in these statements, blocks included, in the order written.
    static func commands(in statements: [Statement]) -> [Command] {
        var found: [Command] = []
        for statement in statements {
            switch statement {
            case .command(let command): found.append(command)
            case .conditional(let conditional):
                for branch in conditional.branches { found += [branch.condition] + commands(in: branch.body) }
                found += commands(in: conditional.elseBody ?? [])
            case .loop(let loop): found += commands(in: loop.body)
            case .definition(let definition): found += commands(in: definition.body)
            case .jump: break
            }
        }
        return found
    }
}

/// `if COMMAND ... [elif COMMAND ...]... [else ...] end`: the first branch whose condition's
/// status is 0 runs, else the else body.
public struct Conditional: Sendable, Equatable {
    public struct Branch: Sendable, Equatable {
        /// The command after `if` or `elif`, as any command (a here-document included).
        public var condition: Command
        public var body: [Statement]
        /// Where its `if` or `elif` is.
        public var location: SourceLocation

        public init(condition: Command, body: [Statement], location: SourceLocation) {
            self.condition = condition
            self.body = body
            self.location = location
        }
    }

    public var branches: [Branch]
    /// nil without `else`.
    public var elseBody: [Statement]?
    public var location: SourceLocation { branches[0].location }

    public init(branches: [Branch], elseBody: [Statement]?) {
        self.branches = branches
        self.elseBody = elseBody
    }
}

/// `for NAME in WORDS... ... end`: the body once per word, after expansion, with `$NAME` set.
public struct Loop: Sendable, Equatable {
    public var variable: String
    public var words: [Word]
    public var body: [Statement]
    public var location: SourceLocation

    public init(variable: String, words: [Word], body: [Statement], location: SourceLocation) {
        self.variable = variable
        self.words = words
        self.body = body
        self.location = location
    }
}

/// `def NAME ... end`: a procedure, called as a command, its arguments `$1`..., `$@`, `$#`.
public struct Definition: Sendable, Equatable {
    public var name: String
    public var body: [Statement]
    public var location: SourceLocation

    public init(name: String, body: [Statement], location: SourceLocation) {
        self.name = name
        self.body = body
        self.location = location
    }
}

/// `break [N]`, `continue [N]` (N loops out, 1 by default) and `return [N]` (N the status).
public struct Jump: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case breakLoop = "break"
        case continueLoop = "continue"
        case returnFromDefinition = "return"
    }

    public var kind: Kind
    /// The word after it, expanded when it runs; nil when none was written.
    public var argument: Word?
    public var location: SourceLocation

    public init(kind: Kind, argument: Word?, location: SourceLocation) {
        self.kind = kind
        self.argument = argument
        self.location = location
    }
}
