/// A running forward and the task that keeps its session alive.
struct RunningForward {
    let forwarder: Forwarder
    let task: Task<Void, Never>
}

/// The shell's running forwards by id (`forward`, `forwards`, `stop`). Ids count up from 1 and are
/// never given out twice, so `stop 2` never reaches a later forward.
struct ForwardRegistry {
    private var running: [Int: RunningForward] = [:]
    private var nextId = 1

    init() {}

    /// The id for a new forward.
    mutating func takeId() -> Int {
        defer { nextId += 1 }
        return nextId
    }

    mutating func add(_ forward: RunningForward, id: Int) { running[id] = forward }

    mutating func remove(_ id: Int) -> RunningForward? { running.removeValue(forKey: id) }

    subscript(id: Int) -> RunningForward? { running[id] }

    /// The ids of the running forwards, in order.
    var ids: [Int] { running.keys.sorted() }
}
