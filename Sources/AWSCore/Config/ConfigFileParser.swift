/// The shared `~/.aws/config` and `~/.aws/credentials` format, as the SDK-shared parser suites
/// define it (Tests/Fixtures/config/README.md). Pure: it takes the text and a name for errors.
///
/// Where AWS CLI v2 (Python configparser) differs, this follows the suites; docs/aws-client.md
/// lists the differences (inline comments, duplicates merge, `:` is not a separator, ...).
public struct ConfigFileParser: Sendable {
    public enum FileKind: Sendable { case config, credentials }

    /// A parse failure with the file and line that caused it.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let file: String
        public let line: Int
        public let message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    /// One `[...]` section as written, before profiles are assembled.
    public struct Section: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case profile, defaultWithoutPrefix, ssoSession, services }
        public var kind: Kind
        public var name: String
        public var properties: [(key: String, value: ConfigValue)]
        public var line: Int

        public static func == (a: Section, b: Section) -> Bool {
            a.kind == b.kind && a.name == b.name && a.line == b.line
                && a.properties.elementsEqual(b.properties) { $0.key == $1.key && $0.value == $1.value }
        }
    }

    public let kind: FileKind
    public let fileName: String

    public init(kind: FileKind, fileName: String) {
        self.kind = kind
        self.fileName = fileName
    }

    public func parse(_ text: String) throws(ParseError) -> [Section] {
        var sections: [Section] = []
        // nil while inside a section that is ignored (invalid name, unknown prefix).
        var current: Section?
        var inIgnoredSection = false
        var currentProperty: (key: String, line: Int)?
        var propertyValue = ""
        var subProperties: [String: String]?

        func flushProperty() {
            guard let property = currentProperty, current != nil else { currentProperty = nil; return }
            // An empty value with no indented lines under it is just empty, not a sub-property block.
            let block = propertyValue.isEmpty ? nil : subProperties
            current!.properties.append((key: property.key, value: ConfigValue(text: propertyValue, subProperties: block)))
            currentProperty = nil
            subProperties = nil
        }
        func flushSection() {
            flushProperty()
            if let section = current { sections.append(section) }
            current = nil
        }

        // "\r\n" is one Character in Swift, so split on newline characters, not on "\n".
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (offset, rawLine) in lines.enumerated() {
            let lineNumber = offset + 1
            let line = Substring(rawLine)
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            let indented = line.first == " " || line.first == "\t"

            if !indented && (trimmed.hasPrefix("#") || trimmed.hasPrefix(";")) { continue }

            if !indented && trimmed.hasPrefix("[") {
                flushSection()
                inIgnoredSection = false
                guard let close = trimmed.firstIndex(of: "]") else {
                    throw ParseError(file: fileName, line: lineNumber, message: "Profile definition must end with ']'.")
                }
                let after = trimmed[trimmed.index(after: close)...].trimmingWhitespace()
                guard after.isEmpty || after.hasPrefix("#") || after.hasPrefix(";") else {
                    throw ParseError(
                        file: fileName, line: lineNumber, message: "Unexpected text after the section header; a header is [name] followed only by a comment.")
                }
                let inside = trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmingWhitespace()
                if let section = classify(inside, line: lineNumber) {
                    current = section
                } else {
                    inIgnoredSection = true
                }
                continue
            }

            if indented {
                // A continuation of the previous property, or a sub-property line.
                guard current != nil || inIgnoredSection else {
                    throw ParseError(
                        file: fileName, line: lineNumber,
                        message: "Expected a profile definition, found a continuation line; start the file with [profile NAME].")
                }
                if inIgnoredSection && current == nil { continue }
                guard currentProperty != nil else {
                    throw ParseError(
                        file: fileName, line: lineNumber,
                        message: "Expected a property definition, found continuation; indent only lines that continue a value.")
                }
                if subProperties != nil {
                    guard let eq = trimmed.firstIndex(of: "=") else {
                        throw ParseError(file: fileName, line: lineNumber, message: "Expected an '=' sign defining a sub-property.")
                    }
                    let key = trimmed[..<eq].trimmingWhitespace().lowercased()
                    let value = trimmed[trimmed.index(after: eq)...].trimmingWhitespace()
                    guard !key.isEmpty else {
                        throw ParseError(file: fileName, line: lineNumber, message: "Sub-property did not have a name.")
                    }
                    propertyValue += "\n" + trimmed
                    if Self.isValidPropertyName(key) { subProperties![key] = value }
                } else {
                    propertyValue += "\n" + trimmed
                }
                continue
            }

            // A property line.
            guard current != nil || inIgnoredSection else {
                throw ParseError(
                    file: fileName, line: lineNumber, message: "Expected a profile definition before this property; add a [profile NAME] line above it.")
            }
            flushProperty()
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw ParseError(file: fileName, line: lineNumber, message: "Expected an '=' sign defining a property (name = value).")
            }
            let key = trimmed[..<eq].trimmingWhitespace().lowercased()
            let value = Self.stripInlineComment(trimmed[trimmed.index(after: eq)...]).trimmingWhitespace()
            guard !key.isEmpty else {
                throw ParseError(file: fileName, line: lineNumber, message: "Property did not have a name.")
            }
            guard current != nil, Self.isValidPropertyName(key) else { continue }
            currentProperty = (key: key, line: lineNumber)
            propertyValue = value
            subProperties = value.isEmpty ? [:] : nil
        }
        flushSection()
        return sections
    }

    /// `[profile NAME]`, `[default]`, `[sso-session NAME]`, `[services NAME]`, or credentials-file `[NAME]`.
    private func classify(_ inside: String, line: Int) -> Section? {
        func section(_ kind: Section.Kind, _ name: String) -> Section? {
            Self.isValidProfileName(name) ? Section(kind: kind, name: name, properties: [], line: line) : nil
        }
        switch kind {
        case .credentials:
            return section(.profile, inside)
        case .config:
            if inside == "default" { return section(.defaultWithoutPrefix, "default") }
            for (prefix, kind) in [("profile", Section.Kind.profile), ("sso-session", .ssoSession), ("services", .services)] {
                guard inside.hasPrefix(prefix) else { continue }
                let rest = inside.dropFirst(prefix.count)
                // The prefix must be followed by whitespace: "[profilefoo]" is not a profile.
                guard let first = rest.first, first == " " || first == "\t" else { return nil }
                return section(kind, rest.trimmingWhitespace())
            }
            return nil
        }
    }

    /// Letters, digits and `_-/.%@:+` (the SDK profile-name rule).
    static func isValidProfileName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { s in
                (s.properties.isAlphabetic && s.isASCII) || ("0"..."9").contains(s) || "_-/.%@:+".unicodeScalars.contains(s)
            }
    }

    /// Property names may not contain whitespace.
    static func isValidPropertyName(_ name: String) -> Bool {
        !name.contains(" ") && !name.contains("\t")
    }

    /// On a property line, `#` or `;` starts a comment only after whitespace.
    static func stripInlineComment(_ value: Substring) -> Substring {
        var previous: Character = " "
        var index = value.startIndex
        while index < value.endIndex {
            let char = value[index]
            if (char == "#" || char == ";") && (previous == " " || previous == "\t") && index != value.startIndex {
                return value[..<index]
            }
            previous = char
            index = value.index(after: index)
        }
        return value
    }
}

/// A property value: its text, and for a block of indented `key = value` lines under an empty
/// value, those sub-properties (as in `s3 =` / `services` sections).
public struct ConfigValue: Sendable, Equatable {
    public var text: String
    public var subProperties: [String: String]?

    public init(text: String, subProperties: [String: String]? = nil) {
        self.text = text
        self.subProperties = subProperties
    }
}
