/// A small XML tree for AWS Query, EC2 and IAM responses: elements, text and entities.
/// Not a general XML parser: no DTDs, namespaces are kept as written in the element name's
/// prefix and dropped for lookups. Malformed input throws; it never crashes.
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var children: [XMLElement]
    public var text: String

    public init(name: String, children: [XMLElement] = [], text: String = "") {
        self.name = name
        self.children = children
        self.text = text
    }

    /// The first child with that local name.
    public subscript(name: String) -> XMLElement? { children.first { $0.localName == name } }

    /// All children with that local name.
    public func all(_ name: String) -> [XMLElement] { children.filter { $0.localName == name } }

    public var localName: String {
        if let colon = name.lastIndex(of: ":") { return String(name[name.index(after: colon)...]) }
        return name
    }

    /// The element at a path of child names, e.g. `["AssumeRoleResult", "Credentials"]`.
    public func find(_ path: [String]) -> XMLElement? {
        var current: XMLElement? = self
        for name in path { current = current?[name] }
        return current
    }

    /// The trimmed text of the child at that path.
    public func string(_ path: String...) -> String? { find(path)?.text.trimmingWhitespace() }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public init(parsing bytes: [UInt8]) throws(ParseError) {
        var parser = XMLTreeParser(bytes: bytes)
        self = try parser.parseDocument()
    }

    public init(parsing text: String) throws(ParseError) { try self.init(parsing: Array(text.utf8)) }
}

private struct XMLTreeParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(XMLElement.ParseError) -> XMLElement {
        skipMisc()
        guard peek() == UInt8(ascii: "<") else { throw fail("the document does not start with an element") }
        let root = try parseElement()
        skipMisc()
        guard index >= bytes.count else { throw fail("unexpected content after the root element") }
        return root
    }

    /// Skips whitespace, the XML declaration, comments and processing instructions.
    mutating func skipMisc() {
        while index < bytes.count {
            if isSpace(bytes[index]) {
                index += 1
            } else if starts(with: "<?") {
                skip(past: "?>")
            } else if starts(with: "<!--") {
                skip(past: "-->")
            } else if starts(with: "<!DOCTYPE") {
                skip(past: ">")
            } else {
                return
            }
        }
    }

    mutating func parseElement() throws(XMLElement.ParseError) -> XMLElement {
        depth += 1
        defer { depth -= 1 }
        guard depth < 200 else { throw fail("elements are nested too deeply") }
        index += 1  // "<"
        let name = readName()
        guard !name.isEmpty else { throw fail("an element has no name") }
        // Attributes are skipped (AWS responses carry only xmlns ones), honouring quotes.
        while index < bytes.count, bytes[index] != UInt8(ascii: ">"), !starts(with: "/>") {
            if bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                let quote = bytes[index]
                index += 1
                while index < bytes.count, bytes[index] != quote { index += 1 }
            }
            index += 1
        }
        guard index < bytes.count else { throw fail("element <\(name)> is not closed") }
        var element = XMLElement(name: name)
        if starts(with: "/>") { index += 2; return element }
        index += 1  // ">"
        var text: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("element <\(name)> has no end tag") }
            if starts(with: "</") {
                index += 2
                let endName = readName()
                guard endName == name else { throw fail("</\(endName)> closes <\(name)>") }
                while index < bytes.count, isSpace(bytes[index]) { index += 1 }
                guard peek() == UInt8(ascii: ">") else { throw fail("end tag </\(name)> is not closed") }
                index += 1
                element.text = try decodeEntities(text)
                return element
            } else if starts(with: "<!--") {
                skip(past: "-->")
            } else if starts(with: "<![CDATA[") {
                index += 9
                while index < bytes.count, !starts(with: "]]>") { text.append(bytes[index]); index += 1 }
                index += 3
            } else if starts(with: "<?") {
                skip(past: "?>")
            } else if bytes[index] == UInt8(ascii: "<") {
                element.children.append(try parseElement())
            } else {
                text.append(bytes[index])
                index += 1
            }
        }
    }

    mutating func readName() -> String {
        let start = index
        while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">"),
            bytes[index] != UInt8(ascii: "/"), bytes[index] != UInt8(ascii: "<")
        { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    func decodeEntities(_ raw: [UInt8]) throws(XMLElement.ParseError) -> String {
        guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        var i = 0
        while i < raw.count {
            guard raw[i] == UInt8(ascii: "&") else { out.append(raw[i]); i += 1; continue }
            guard let semicolon = raw[i...].firstIndex(of: UInt8(ascii: ";")), semicolon - i <= 10 else {
                throw fail("an & is not followed by an entity name and ;")
            }
            let entity = String(decoding: raw[(i + 1)..<semicolon], as: UTF8.self)
            switch entity {
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "amp": out.append(UInt8(ascii: "&"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                let value: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    value = UInt32(entity.dropFirst(2), radix: 16)
                } else if entity.hasPrefix("#") {
                    value = UInt32(entity.dropFirst())
                } else {
                    value = nil
                }
                guard let value, let scalar = Unicode.Scalar(value) else { throw fail("unknown entity &\(entity);") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            i = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0a || b == 0x0d }
    func starts(with text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return text.withUTF8Buffer { buffer in (0..<count).allSatisfy { bytes[index + $0] == buffer[$0] } }
    }
    mutating func skip(past text: StaticString) {
        while index < bytes.count, !starts(with: text) { index += 1 }
        index = min(bytes.count, index + text.utf8CodeUnitCount)
    }
    func fail(_ message: String) -> XMLElement.ParseError {
        XMLElement.ParseError(description: "the XML response is malformed at byte \(index): \(message)")
    }
}
