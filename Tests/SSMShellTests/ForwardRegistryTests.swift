@testable import SSMShell
import Testing

/// The shell's forwards by id: ids count up and are never given out again, so `stop 1` after the
/// first forward ended cannot reach a later one.
@Suite struct ForwardRegistryTests {
    @Test func idsCountUpAndAreNeverReused() async {
        var registry = ForwardRegistry()
        #expect(registry.takeId() == 1)
        #expect(registry.takeId() == 2)
        #expect(registry.remove(1) == nil, "nothing was added under 1")
        #expect(registry.takeId() == 3)
        #expect(registry.ids.isEmpty)
    }
}
