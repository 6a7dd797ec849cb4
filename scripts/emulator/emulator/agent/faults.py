"""The fault switches as the simulated agent sees them: the link faults are the gateway's
(gateway/faults.py LINK_FAULTS), so here they read as off; every other switch is the emulator's."""
from ..gateway.faults import LINK_FAULTS


class AgentFaults:
    def __init__(self, faults):
        object.__setattr__(self, "_faults", faults)

    def __getattr__(self, name):
        if name in LINK_FAULTS:
            return type(getattr(self._faults, name))()
        return getattr(self._faults, name)
