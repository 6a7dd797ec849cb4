import AWSCore

/// Results as the user asked for them (language page, section 5): aligned columns on a terminal,
/// tab-separated text for `cut` and `awk`, or one JSON document per result.
public enum OutputFormat: String, Sendable, CaseIterable {
    case table, text, json
}

public struct Table {
    public var columns: [String]
    public var rows: [[String]]

    public init(columns: [String], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }

    public func render(_ format: OutputFormat, color: Bool) -> String {
        switch format {
        case .text:
            return rows.map { $0.joined(separator: "\t") + "\n" }.joined()
        case .json:
            let objects = rows.map { row -> String in
                let pairs = zip(columns, row).map { "\(jsonString(Self.key($0))):\(jsonString($1))" }
                return "{" + pairs.joined(separator: ",") + "}"
            }
            return "[" + objects.joined(separator: ",") + "]\n"
        case .table:
            var widths = columns.map(\.count)
            for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { i, cell in
                    i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
                }.joined(separator: "  ")
            }
            let header = line(columns)
            var out = (color ? "\u{1B}[1m" + header + "\u{1B}[0m" : header) + "\n"
            for row in rows {
                var text = line(row)
                if color { text = Self.colorize(text) }
                out += text + "\n"
            }
            return out
        }
    }

    static func key(_ column: String) -> String {
        let words = column.lowercased().split(separator: " ")
        return words.enumerated().map { $0 == 0 ? String($1) : $1.prefix(1).uppercased() + $1.dropFirst() }.joined()
    }

    /// Statuses in colour: green for good, red for bad, yellow for waiting.
    static func colorize(_ text: String) -> String {
        var out = text
        for (word, code) in [
            ("Success", "32"), ("Online", "32"), ("Failed", "31"), ("TimedOut", "31"), ("ConnectionLost", "31"),
            ("Cancelled", "33"), ("Pending", "33"), ("InProgress", "33"),
        ] {
            out = out.replacing(word, with: "\u{1B}[\(code)m\(word)\u{1B}[0m")
        }
        return out
    }
}

/// A JSON string literal.
func jsonString(_ s: String) -> String { JSONValue.quoted(s) }
