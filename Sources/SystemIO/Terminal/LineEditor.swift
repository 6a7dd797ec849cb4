import CEditLine
import Glibc

/// The prompt's line editor on libedit: emacs keys, ~/.editrc, history, Tab completion through a
/// Swift callback. `readLine` blocks, so callers run it on a dedicated thread (see
/// `onDedicatedThread`).
///
/// `@unchecked Sendable` because of one invariant its user keeps: the libedit handles are used by
/// one thread at a time. The prompt hands the editor to a thread for `readLine` and awaits it;
/// `setPrompt` and `addToHistory` run only between reads, and the completer only inside one.
public final class LineEditor: @unchecked Sendable {
    /// Given the text before the cursor, the candidate completions of its last word.
    public typealias Completer = @Sendable (_ line: String) -> [String]

    public enum Line: Sendable, Equatable {
        case text(String)
        case interrupted
        case endOfInput
    }

    private let editor: OpaquePointer
    private let history: OpaquePointer
    private var event = HistEvent()
    private var promptBuffer: UnsafeMutablePointer<CChar>
    private let completer: Completer
    private var interruptedLine = false
    private var tildeDot = false

    /// `tildeDotLeaves`: `~.` typed at the start of a line ends it at once, as ssh's escape does
    /// (`attach`); `readLine` then gives the text `~.`.
    public init(program: String, tildeDotLeaves: Bool = false, completer: @escaping Completer) {
        editor = cedit_el_init(program)
        history = history_init()
        self.completer = completer
        promptBuffer = strdup("> ")
        cedit_history_setsize(history, &event, 1000)
        cedit_history_setunique(history, &event, 1)
        cedit_el_set_history(editor, history)
        cedit_el_set_editor(editor, "emacs")
        cedit_el_set_signal(editor, 1)  // libedit restores the terminal on signals
        cedit_el_set_clientdata(editor, Unmanaged.passUnretained(self).toOpaque())
        cedit_el_set_prompt(editor) { el in
            let me = Unmanaged<LineEditor>.fromOpaque(cedit_el_get_clientdata(el)!).takeUnretainedValue()
            return me.promptBuffer
        }
        cedit_el_addfn(editor, "ssm-complete", "complete a command, option, target or path") { el, _ in
            let me = Unmanaged<LineEditor>.fromOpaque(cedit_el_get_clientdata(el)!).takeUnretainedValue()
            return me.complete()
        }
        cedit_el_bind(editor, "^I", "ssm-complete")
        // Ctrl-C at the prompt clears the line (language page, section 6): a key, not a signal.
        cedit_el_edit_without_isig(editor)
        cedit_el_addfn(editor, "ssm-interrupt", "abandon the line") { el, _ in
            let me = Unmanaged<LineEditor>.fromOpaque(cedit_el_get_clientdata(el)!).takeUnretainedValue()
            me.interruptedLine = true
            return UInt8(CC_NEWLINE)
        }
        cedit_el_bind(editor, "^C", "ssm-interrupt")
        if tildeDotLeaves {
            cedit_el_addfn(editor, "ssm-tilde-dot", "leave on ~. at the start of a line") { el, _ in
                let me = Unmanaged<LineEditor>.fromOpaque(cedit_el_get_clientdata(el)!).takeUnretainedValue()
                return me.tildeDotKey()
            }
            cedit_el_bind(editor, ".", "ssm-tilde-dot")
        }
        el_source(editor, nil)  // ~/.editrc (so "bind -v" gives vi keys)
    }

    deinit {
        el_end(editor)
        history_end(history)
        free(promptBuffer)
    }

    public func setPrompt(_ prompt: String) {
        free(promptBuffer)
        promptBuffer = strdup(prompt)
    }

    /// Reads one line (without its newline). Ctrl-C gives `.interrupted`, Ctrl-D `.endOfInput`.
    public func readLine() -> Line {
        var count: Int32 = 0
        interruptedLine = false
        tildeDot = false
        let raw = el_gets(editor, &count)
        if interruptedLine { return .interrupted }
        if tildeDot { return .text("~.") }
        guard let raw else {
            if count == -1 && errno == EINTR { return .interrupted }
            return .endOfInput
        }
        var text = String(cString: raw)
        if text.hasSuffix("\n") { text.removeLast() }
        return .text(text)
    }

    public func addToHistory(_ line: String) { cedit_history_enter(history, &event, line) }

    /// `.`: ends the line when all it holds is `~` (the cursor after it), else is typed.
    private func tildeDotKey() -> UInt8 {
        if let info = el_line(editor)?.pointee, info.cursor - info.buffer == 1, info.lastchar - info.buffer == 1, info.buffer.pointee == 0x7E {
            tildeDot = true
            return UInt8(CC_NEWLINE)
        }
        el_insertstr(editor, ".")
        return UInt8(CC_REFRESH)
    }

    /// Tab: completes the word before the cursor; lists the candidates when there are several.
    private func complete() -> UInt8 {
        guard let info = el_line(editor)?.pointee else { return UInt8(CC_ERROR) }
        let length = info.cursor - info.buffer
        let before = String(decoding: UnsafeRawBufferPointer(start: info.buffer, count: length), as: UTF8.self)
        let word = String(before.split(separator: " ", omittingEmptySubsequences: false).last ?? "")
        let candidates = completer(before).filter { $0.hasPrefix(word) }
        guard !candidates.isEmpty else { return UInt8(CC_ERROR) }
        var common = candidates[0]
        for c in candidates.dropFirst() {
            while !c.hasPrefix(common) { common.removeLast() }
        }
        let addition = String(common.dropFirst(word.count))
        if candidates.count == 1 {
            el_insertstr(editor, addition + (addition.hasSuffix("/") ? "" : " "))
            return UInt8(CC_REFRESH)
        }
        if !addition.isEmpty {
            el_insertstr(editor, addition)
            return UInt8(CC_REFRESH)
        }
        let listing = "\n" + candidates.sorted().joined(separator: "  ") + "\n"
        FileDescriptorWriter.writeAll(1, listing.utf8)
        return UInt8(CC_REDISPLAY)
    }
}
