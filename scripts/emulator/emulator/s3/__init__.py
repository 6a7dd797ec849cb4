"""The emulator's S3: path-style REST-XML on the emulator's one port (api.py), objects kept in
memory (store.py), S3's XML bodies and errors (responses.py)."""
from .api import S3Service

__all__ = ["S3Service"]
