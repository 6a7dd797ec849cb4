"""Input validation against the botocore service model, with AWS's ValidationException wording:
"1 validation error detected: Value 'x' at 'instanceIds' failed to satisfy constraint: Member must ..."."""
import re

from .errors import AWSError


def camel(name):
    return name[:1].lower() + name[1:]


def _value_text(value):
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def validate(shape, params):
    problems = []
    type_errors = []
    _check(shape, params, "", problems, type_errors)
    if type_errors:
        raise AWSError("SerializationException", type_errors[0])
    if problems:
        count = len(problems)
        raise AWSError("ValidationException", "%d validation error%s detected: %s" % (count, "" if count == 1 else "s", "; ".join(problems)))


def _check(shape, value, path, problems, type_errors):
    t = shape.type_name
    meta = shape.metadata
    where = path or "input"
    if t == "structure":
        if not isinstance(value, dict):
            type_errors.append("Start of structure or map found where not expected." if isinstance(value, list) else
                               "Expected a structure at '%s'." % where)
            return
        for name in shape.required_members:
            if value.get(name) is None:
                problems.append("Value null at '%s' failed to satisfy constraint: Member must not be null" % _join(path, camel(name)))
        for name, member_value in value.items():
            member = shape.members.get(name)
            if member is None:
                continue  # AWS ignores unknown members
            if member_value is None:
                continue
            _check(member, member_value, _join(path, camel(name)), problems, type_errors)
    elif t == "list":
        if not isinstance(value, list):
            type_errors.append("Start of list found where not expected" if isinstance(value, dict) else "Expected a list at '%s'." % where)
            return
        _length(meta, len(value), value, where, problems)
        for index, item in enumerate(value, 1):
            _check(shape.member, item, "%s.%d.member" % (where, index), problems, type_errors)
    elif t == "map":
        if not isinstance(value, dict):
            type_errors.append("Expected a map at '%s'." % where)
            return
        _length(meta, len(value), value, where, problems)
        for k, v in value.items():
            _check(shape.value, v, "%s.%s" % (where, k), problems, type_errors)
    elif t == "string":
        if not isinstance(value, str):
            type_errors.append("STRING_VALUE can not be converted to %s" % type(value).__name__)
            return
        _length(meta, len(value), value, where, problems)
        if shape.enum and value not in shape.enum:
            problems.append("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]" % (
                value, where, ", ".join(shape.enum)))
        pattern = meta.get("pattern")
        if pattern:
            try:
                if not re.fullmatch(pattern, value, re.S):
                    problems.append("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s" % (
                        value, where, pattern))
            except re.error:
                pass
    elif t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
            type_errors.append("NUMBER_VALUE can not be converted to an integer")
            return
        if "min" in meta and value < meta["min"]:
            problems.append("Value '%s' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %s" % (value, where, meta["min"]))
        if "max" in meta and value > meta["max"]:
            problems.append("Value '%s' at '%s' failed to satisfy constraint: Member must have value less than or equal to %s" % (value, where, meta["max"]))
    elif t == "boolean":
        if not isinstance(value, bool):
            type_errors.append("Expected a boolean at '%s'." % where)


def _length(meta, length, value, where, problems):
    if "min" in meta and length < meta["min"]:
        problems.append("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %s" % (
            _value_text(value), where, meta["min"]))
    if "max" in meta and length > meta["max"]:
        problems.append("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %s" % (
            _value_text(value), where, meta["max"]))


def _join(path, name):
    return name if not path else path + "." + name
