"""The service side of the Session Manager protocol, as AWS's message gateway service (MGS) is to
amazon-ssm-agent: real agents and the emulator's simulated ones (../agent) connect to it alike.

  control.py   ControlChannels: CreateControlChannel, every node's control-channel WebSocket,
               and the seam: send(instance_id, message_type, payload) / on(message_type, handler)
"""
