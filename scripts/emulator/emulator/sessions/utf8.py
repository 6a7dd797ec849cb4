"""Output cut at UTF-8 boundaries, as the agent sends it (shell and command sessions)."""


class Utf8Chunker:
    """Cuts output at UTF-8 boundaries, carrying an incomplete sequence to the next chunk."""

    def __init__(self):
        self.carry = b""

    def feed(self, data):
        data = self.carry + data
        cut = len(data)
        for back in range(1, min(4, len(data)) + 1):
            byte = data[-back]
            if byte & 0xC0 == 0x80:
                continue
            if byte & 0x80:
                need = 2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4
                if back < need:
                    cut = len(data) - back
            break
        self.carry = data[cut:]
        return data[:cut]
