"""Sessions: the registry behind StartSession, the websocket endpoint, and what runs on the node.

Where things live:
  registry.py   Sessions: create, find and list sessions (StartSession, DescribeSessions, the control API)
  endpoint.py   the data-channel websocket: signed upgrade, OpenDataChannel token, the read loop, fault timers
  session.py    Session: one session's life (attach, delivery of client data, output, the end, spec 8)
  handshake.py  Handshake: the agent's side of the handshake (spec 6) and KMS encryption (spec 6.5)
  shell.py      PtyHandler: a shell or an interactive command on a real pty
  command.py    CommandHandler: a non-interactive command (stdout, stderr, exit code)
  port.py       PortHandler: port forwarding in stream, basic or smux mode
  utf8.py       Utf8Chunker: output cut at UTF-8 boundaries
"""
from .registry import Sessions

__all__ = ["Sessions"]
