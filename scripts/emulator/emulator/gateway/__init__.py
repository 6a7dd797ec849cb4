"""The service side of the Session Manager protocol, as AWS's message gateway service (MGS) is to
amazon-ssm-agent: real agents and the emulator's simulated ones (../agent) connect to it alike.

  control.py    ControlChannels: CreateControlChannel, every node's control-channel WebSocket,
                and the seam: send(instance_id, message_type, payload) / on(message_type, handler)
  session.py    GatewaySession: one session, the client's data channel relayed to the agent's,
                pause/start_publication, agent_session_state, channel_closed, TerminateSession
  faults.py     LossyLink: drop, duplicate, reorder and drop_input on the relayed stream data
  documents.py  the session documents' content handed to the agent in interactive_shell
  agent_api.py  AgentAPI: UpdateInstanceInformation, ListInstanceAssociations, ec2messages
"""
