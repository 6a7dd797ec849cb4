/// `attach`'s live output as text: each node's standard output and error, line by line behind the
/// node's name when several nodes are attached (in a colour of its own on a terminal), as it comes
/// when one is. Bytes that are not printable text (invalid UTF-8, control characters other than
/// tab and newline, `\r` not before `\n`) are shown as `\xNN`, so binary output cannot drive the
/// terminal. Pure: bytes in, text out.
struct AttachOutputFormatter {
    enum Stream: Hashable {
        case out, err
    }

    /// Each node's prefix, padded to one width and coloured; empty with one node.
    let prefixes: [String]
    private var pending: [Key: [UInt8]] = [:]
    /// A partial line this long is shown without waiting for its end.
    static let holdLimit = 4096

    private struct Key: Hashable {
        let node: Int
        let stream: Stream
    }

    /// Foreground colours, bold off: green, yellow, blue, magenta, cyan, then their bright forms
    /// (red is left to failures).
    static let palette = [32, 33, 34, 35, 36, 92, 93, 94, 95, 96]

    init(names: [String], color: Bool) {
        guard names.count > 1 else {
            prefixes = names.map { _ in "" }
            return
        }
        let width = names.map(\.count).max() ?? 0
        prefixes = names.enumerated().map { index, name in
            let padded = name + String(repeating: " ", count: width - name.count)
            return color ? "\u{1B}[\(Self.palette[index % Self.palette.count])m\(padded)\u{1B}[0m | " : "\(padded) | "
        }
    }

    /// The text to show now for these bytes: whole lines (with a prefix), or with one node
    /// everything up to the last whole character.
    mutating func text(_ bytes: [UInt8], node: Int, stream: Stream) -> String {
        let key = Key(node: node, stream: stream)
        var held = pending[key, default: []] + bytes
        var shown = ""
        if prefixes[node].isEmpty {
            let cut = Self.wholeCharacters(held)
            shown = Self.escaped(held[..<cut])
            held.removeFirst(cut)
        } else {
            while let newline = held.firstIndex(of: 0x0A) {
                shown += prefixes[node] + Self.escaped(held[..<newline]) + "\n"
                held.removeFirst(newline + 1)
            }
            if held.count >= Self.holdLimit {
                shown += prefixes[node] + Self.escaped(held[...]) + "\n"
                held.removeAll()
            }
        }
        pending[key] = held
        return shown
    }

    /// The node's line ended: what it held, each stream's last line ended with a newline when it
    /// had none (so the summary and the prompt start on a line of their own).
    mutating func lineEnded(node: Int, lastByte: [Stream: UInt8]) -> [Stream: String] {
        var texts: [Stream: String] = [:]
        for stream in [Stream.out, .err] {
            let held = pending.removeValue(forKey: Key(node: node, stream: stream)) ?? []
            if !held.isEmpty {
                texts[stream] = prefixes[node] + Self.escaped(held[...]) + "\n"
            } else if prefixes[node].isEmpty, let last = lastByte[stream], last != 0x0A {
                texts[stream] = "\n"
            }
        }
        return texts
    }

    /// Up to where the bytes hold whole UTF-8 characters (a character cut between two pieces waits
    /// for its rest; at most three bytes).
    static func wholeCharacters(_ bytes: [UInt8]) -> Int {
        var start = bytes.count
        while start > 0, bytes.count - start < 3, bytes[start - 1] & 0xC0 == 0x80 { start -= 1 }
        guard start > 0 else { return bytes.count }
        let lead = bytes[start - 1]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return length > bytes.count - (start - 1) && lead < 0xF8 ? start - 1 : bytes.count
    }

    /// The bytes as printable text (see the type's comment).
    static func escaped(_ bytes: ArraySlice<UInt8>) -> String {
        var text = ""
        var index = bytes.startIndex
        func hex(_ byte: UInt8) { text += "\\x" + String(byte, radix: 16, uppercase: false).leftPadded(to: 2) }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0x0D, index + 1 < bytes.endIndex, bytes[index + 1] == 0x0A {
                index += 1
                continue
            }
            if byte < 0x80 {
                if byte >= 0x20 && byte != 0x7F || byte == 0x09 || byte == 0x0A { text.unicodeScalars.append(Unicode.Scalar(byte)) } else { hex(byte) }
                index += 1
                continue
            }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 0
            let end = index + length
            if length > 0, end <= bytes.endIndex, let scalar = decode(bytes[index..<end]), !(0x80...0x9F).contains(scalar.value) {
                text.unicodeScalars.append(scalar)
                index = end
            } else {
                hex(byte)
                index += 1
            }
        }
        return text
    }

    /// One UTF-8 sequence, or nil when it is not a valid, shortest-form encoding.
    private static func decode(_ bytes: ArraySlice<UInt8>) -> Unicode.Scalar? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator), iterator.next() == nil else { return nil }
        return scalar
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
