"""A local stand-in for the parts of AWS that ssm-shell talks to (see ../README.md)."""
