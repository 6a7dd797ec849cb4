import AWSCore

/// Reading typed fields out of a JSON reply: missing or mistyped fields are nil, never a crash;
/// unknown fields and unknown enum strings are kept as they are (aws-client spec section 5).
extension JSONValue {
    func text(_ key: String) -> String? { self[key]?.string }
    /// JSON 1.1 timestamps are epoch seconds (often fractional). One that no calendar date can
    /// show (infinite, or beyond the year 9999) is a mistyped field: nil.
    func time(_ key: String) -> Double? { self[key]?.double.flatMap { CivilTime.representable.contains($0) ? $0 : nil } }
    func integer(_ key: String) -> Int? { self[key]?.int }
    func list(_ key: String) -> [JSONValue] { self[key]?.array ?? [] }
    func stringMap(_ key: String) -> [String: [String]] {
        (self[key]?.object ?? [:]).mapValues { $0.array?.compactMap(\.string) ?? [] }
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// Sets a member only when it has a value: unset members are left out of the body.
    mutating func set(_ key: String, _ value: String?) { if let value { self[key] = .string(value) } }
    mutating func set(_ key: String, _ value: Int?) { if let value { self[key] = .number(Double(value)) } }
    mutating func set(_ key: String, _ value: Bool?) { if let value { self[key] = .bool(value) } }
    mutating func set(_ key: String, _ value: [String]?) { if let value { self[key] = .array(value.map(JSONValue.string)) } }
    mutating func set(_ key: String, _ value: [String: [String]]?) {
        if let value { self[key] = .object(value.mapValues { .array($0.map(JSONValue.string)) }) }
    }
}
