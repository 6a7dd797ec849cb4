"""FilterLogEvents' filter patterns for unstructured events, the term forms of "Filter pattern
syntax for metric filters, subscription filters, and filter log events" (CloudWatch Logs User
Guide): terms all present (case-sensitive), "quoted phrases", ?term for any of several, -term
for absent. JSON ({...}), space-delimited ([...]) and regex (%...%) patterns are not served."""
import dataclasses
import shlex


@dataclasses.dataclass
class FilterPattern:
    required: list
    any_of: list
    excluded: list

    @classmethod
    def parse(cls, text):
        """The pattern, or None when it is a form the emulator does not serve or does not parse."""
        text = (text or "").strip()
        if text[:1] in ("{", "[", "%"):
            return None
        try:
            terms = shlex.split(text)
        except ValueError:
            return None
        required, any_of, excluded = [], [], []
        for term in terms:
            if term.startswith("?") and len(term) > 1:
                any_of.append(term[1:])
            elif term.startswith("-") and len(term) > 1:
                excluded.append(term[1:])
            else:
                required.append(term)
        return cls(required, any_of, excluded)

    def matches(self, message):
        return (all(t in message for t in self.required)
                and (not self.any_of or any(t in message for t in self.any_of))
                and not any(t in message for t in self.excluded))
