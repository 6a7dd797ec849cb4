"""The simulated amazon-ssm-agent of every node: a client of the emulator's gateway, as the real
agent is of AWS's message gateway service.

  fleet.py     SimulatedFleet: one agent per fleet node, its identity and HTTP client
  node.py      SimulatedNode: one node's agent and the handlers on its control channel
  sessions.py  SessionWorker: interactive_shell, the session's data channel, agent_task_complete
  control.py   ControlChannelClient: CreateControlChannel, the control-channel WebSocket, send/on
  signing.py   Signer: SigV4 for ssmmessages, on the service's clock
"""
