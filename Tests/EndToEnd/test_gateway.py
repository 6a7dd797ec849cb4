"""The emulator as the service side of amazon-ssm-agent's protocol (issue 12 item 1): every node's
simulated agent connects to the gateway as a client, through the control channel the real agent
uses (agent/session/controlchannel, service/service.go), and the seam the rest of the emulator
talks to agents through (gateway/control.py, agent/control.py)."""
import asyncio
import json
import os
import sys
import time
import uuid

import aiohttp
import pytest

from conftest import ROOT, wait_until

sys.path.insert(0, os.path.join(ROOT, "scripts", "emulator"))

from emulator import clientmessage as cm  # noqa: E402
from emulator.agent.fleet import SimulatedFleet  # noqa: E402
from emulator.agent.signing import Signer  # noqa: E402
from emulator.gateway.control import decode, encode  # noqa: E402
from emulator.server import Emulator  # noqa: E402
from emulator.sessions import Sessions  # noqa: E402
from emulator.state import State  # noqa: E402
from aiohttp import web  # noqa: E402

FLEET = os.path.join(ROOT, "scripts", "emulator", "fleets", "demo.json")
IDENTITIES = os.path.join(ROOT, "scripts", "emulator", "identities.json")


def test_every_fleet_node_has_its_control_channel_open_when_the_emulator_is_ready(emulator):
    fleet = json.load(open(FLEET))
    channels = emulator.control("state")["control_channels"]
    assert sorted(channels) == sorted(n["id"] for n in fleet["nodes"])
    for node in fleet["nodes"]:
        assert channels[node["id"]]["connected"], node["id"]
        assert channels[node["id"]]["agent_version"] == node["agent_version"]


class InProcess:
    """The emulator's app and its simulated fleet in this process, for the seam's own tests."""

    async def __aenter__(self):
        self.state = State(json.load(open(FLEET)), "us-east-1")
        self.emulator = Emulator(self.state, json.load(open(IDENTITIES)), Sessions(self.state))
        self.runner = web.AppRunner(self.emulator.app(), access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.base = "http://127.0.0.1:%d" % site._server.sockets[0].getsockname()[1]
        self.fleet = SimulatedFleet(self.state, self.emulator.auth, self.emulator.kms, self.base)
        await self.fleet.start(timeout=20)
        return self

    async def __aexit__(self, *exc):
        await self.fleet.stop()
        await self.runner.cleanup()


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 60))


async def next_item(queue, seconds=10):
    return await asyncio.wait_for(queue.get(), seconds)


def test_a_message_sent_on_the_seam_reaches_the_node_and_the_nodes_answer_comes_back():
    async def scenario():
        async with InProcess() as env:
            node_id = "i-0a1b2c3d4e5f60001"
            at_agent, at_service = asyncio.Queue(), asyncio.Queue()

            async def agent_side(instance_id, payload):
                await at_agent.put((instance_id, payload))

            async def service_side(instance_id, payload):
                await at_service.put((instance_id, payload))

            for simulated in env.fleet.nodes.values():
                simulated.control.on("test_ping", agent_side)
            env.emulator.control.on("test_pong", service_side)
            assert await env.emulator.control.wait_connected(list(env.fleet.nodes), 10)
            sent_id = env.emulator.control.send(node_id, "test_ping", {"Hello": "node"})
            instance_id, payload = await next_item(at_agent)
            assert instance_id == node_id and payload["Hello"] == "node"
            assert payload["_message_id"] == sent_id, "the header's MessageId is what send() returned"
            assert abs(payload["_created_date"] - time.time() * 1000) < 60000
            assert at_agent.empty(), "only the node named gets the message"
            reply_id = env.fleet.nodes[node_id].control.send("test_pong", {"Back": 1})
            instance_id, payload = await next_item(at_service)
            assert (instance_id, payload["Back"], payload["_message_id"]) == (node_id, 1, reply_id)
            assert env.emulator.control.send("i-00000000000000bad", "test_ping", {}) is None, "no channel, no send"
    run(scenario())


def test_agent_task_complete_is_answered_with_agent_task_acknowledge_naming_it():
    # mgsinteractor.go processTaskAcknowledgeMessage: the ack's MessageId is the completion's header MessageId.
    async def scenario():
        async with InProcess() as env:
            node = env.fleet.nodes["i-0a1b2c3d4e5f60002"]
            acks = asyncio.Queue()

            async def on_ack(instance_id, payload):
                await acks.put(payload)

            node.control.on("agent_task_acknowledge", on_ack)
            completed = node.control.send("agent_task_complete", {"SchemaVersion": 1, "TaskId": "s-1", "Topic": "agent_task_complete",
                                                                   "FinalTaskStatus": "Success", "Output": ""})
            ack = await next_item(acks)
            assert (ack["MessageId"], ack["TaskId"], ack["Topic"], ack["SchemaVersion"]) == (completed, "s-1", "agent_task_complete", 1)
    run(scenario())


def test_control_channel_refuses_unsigned_calls_and_a_wrong_token():
    async def scenario():
        async with InProcess() as env:
            node_id = "i-0a1b2c3d4e5f60003"
            url = env.base + "/v1/control-channel/" + node_id
            async with aiohttp.ClientSession() as http:
                async with http.post(url, data=b"{}") as response:
                    assert response.status == 403, "CreateControlChannel needs a SigV4 signature for ssmmessages"
                signer = Signer(*_admin_keys(), "us-east-1")
                body = json.dumps({"MessageSchemaVersion": "1.0", "RequestId": str(uuid.uuid4())}).encode()
                async with http.post(url, data=body, headers=signer.headers("POST", url, body)) as response:
                    assert response.status == 201 and "<TokenValue>" in await response.text()
                ws_url = url.replace("http", "ws") + "?role=subscribe&stream=input"
                async with http.ws_connect(ws_url, headers=signer.headers("GET", url + "?role=subscribe&stream=input")) as ws:
                    await ws.send_str(json.dumps({"MessageSchemaVersion": "1.0", "RequestId": str(uuid.uuid4()), "TokenValue": "forged",
                                                  "AgentVersion": "3.3.1142.0", "PlatformType": "linux"}))
                    msg = await ws.receive(timeout=10)
                    assert msg.type == aiohttp.WSMsgType.CLOSE and msg.data == 1008
            assert env.emulator.control.connected(node_id), "the node's own channel is untouched"
    run(scenario())


def _admin_keys():
    admin = json.load(open(IDENTITIES))["identities"]["admin"]
    return admin["access_key_id"], admin["secret_access_key"]


def test_agent_messages_use_the_client_message_layout_and_bad_frames_are_dropped():
    frame = encode("interactive_shell", {"Content": "{}", "TaskId": "t"})
    msg = cm.ClientMessage.decode(frame)
    assert (msg.message_type, msg.sequence_number, json.loads(msg.payload)["TaskId"]) == ("interactive_shell", 0, "t")
    assert decode(frame)[1]["TaskId"] == "t"
    assert decode(b"short") is None
    assert decode(cm.ClientMessage("x", payload=b"not json").encode()) is None
    assert decode(cm.ClientMessage("x", payload=b"[1]").encode()) is None


@pytest.mark.parametrize("skew", [0, 1200])
def test_the_simulated_agent_signs_on_the_services_clock_whatever_the_clock_skew_fault(skew):
    async def scenario():
        async with InProcess() as env:
            env.state.faults.clock_skew = skew
            node = env.fleet.nodes["i-0a1b2c3d4e5f60001"]
            first = env.emulator.control.sockets[node.node["id"]]
            await node.control.ws.close()   # the agent opens its channel again, signing now
            deadline = time.monotonic() + 10
            while env.emulator.control.sockets.get(node.node["id"]) in (None, first):
                assert time.monotonic() < deadline, "the control channel was not opened again"
                await asyncio.sleep(0.05)
    run(scenario())


def test_with_tls_the_simulated_agents_connect_over_wss_trusting_the_emulators_ca():
    from conftest import start_emulator
    started = start_emulator("--tls")
    try:
        channels = started.control("state")["control_channels"]
        assert len(channels) == 10 and all(c["connected"] for c in channels.values())
    finally:
        started.process.terminate()
        assert started.process.wait(timeout=10) == 0


# -- the data-channel relay (issue 12 item 1, issue 18 items 2 and 3) ------------------------------

class RecordingClient:
    """dcclient's client that also records every message type the gateway sent it."""

    @staticmethod
    async def open(emulator, **start):
        from dcclient import DataChannelClient, decode
        response = emulator.client("ssm").start_session(**start)
        client = DataChannelClient(response["StreamUrl"], response["TokenValue"])
        client.seen = []
        await client.connect()
        original = client.ws.receive

        async def receive(*args, **kwargs):
            msg = await original(*args, **kwargs)
            if msg.type == aiohttp.WSMsgType.BINARY and decode(msg.data) is not None:
                client.seen.append(decode(msg.data)["type"])
            return msg
        client.ws.receive = receive
        return response["SessionId"], client


def test_the_agent_opens_its_data_channel_at_start_session_before_any_client_connects(emulator):
    response = emulator.client("ssm").start_session(Target="i-0a1b2c3d4e5f60001")
    session_id = response["SessionId"]
    facts = wait_until(lambda: (lambda f: f if f["agent_connected"] and f["agent_state"] == "Connected" else None)(
        emulator.control("state")["sessions"][session_id]), what="the agent's data channel with agent_session_state Connected")
    assert facts["connections"] == 0 and facts["status"] == "Connecting"
    emulator.client("ssm").terminate_session(SessionId=session_id)


def test_input_sent_at_once_reaches_the_shell_and_the_service_keeps_agent_session_state_and_sends_channel_closed(emulator):
    async def scenario():
        session_id, client = await RecordingClient.open(emulator, Target="i-0a1b2c3d4e5f60001")
        await client.send(1, b"echo relay-$((6*7))\r")   # before the prompt: relayed, acked end to end
        await client.read_until(lambda d: b"relay-42" in d)
        await client.send(1, b"exit\r")
        await asyncio.wait_for(client.closed.wait(), 20)
        await client.close()
        return session_id, client
    session_id, client = run(scenario())
    assert "agent_session_state" not in client.seen, "the service keeps agent_session_state"
    assert client.seen.count("channel_closed") == 1 and client.closed_payload["SessionId"] == session_id
    facts = emulator.control("state")["sessions"][session_id]
    assert (facts["agent_state"], facts["status"]) == ("Terminating", "Terminated")


def test_terminate_session_reaches_the_agent_and_the_client_hears_channel_closed_from_the_service(emulator):
    async def scenario():
        session_id, client = await RecordingClient.open(emulator, Target="i-0a1b2c3d4e5f60002")
        await client.read_until(lambda d: b"$ " in d)
        emulator.client("ssm").terminate_session(SessionId=session_id)
        await asyncio.wait_for(client.closed.wait(), 20)
        await client.close()
        return session_id, client
    session_id, client = run(scenario())
    assert client.closed_payload["Output"] == "Terminated by the TerminateSession API."
    facts = wait_until(lambda: (lambda f: f if not f["agent_connected"] else None)(emulator.control("state")["sessions"][session_id]),
                     what="the agent's data channel closing")
    assert facts["agent_state"] == "Terminating", "the agent ended its shell and said so"


# -- what a real agent needs besides its channels ------------------------------------------------

def real_node(n, ping="ConnectionLost"):
    return {"id": "i-%017x" % (0x700000 + n), "tags": {"Name": "real-%d" % n}, "platform": "Linux", "platform_name": "Debian GNU/Linux",
            "platform_version": "12", "agent_version": "3.3.1142.0", "ping_status": ping, "ip": "127.0.0.1",
            "computer_name": "real-%d" % n, "resource_type": "EC2Instance", "agent": "real"}


@pytest.fixture
def mixed_fleet():
    """An emulator with one simulated node and one node left to a real agent ("agent": "real")."""
    import tempfile
    from conftest import start_emulator
    simulated = dict(real_node(1, "Online"), tags={"Name": "sim-1"})
    del simulated["agent"]
    fleet = os.path.join(tempfile.mkdtemp(), "fleet.json")
    json.dump({"region": "us-east-1", "nodes": [simulated, real_node(2)]}, open(fleet, "w"))
    started = start_emulator("--fleet", fleet)
    yield started
    started.process.terminate()
    assert started.process.wait(timeout=10) == 0


def signed_post(emulator, target, body, service):
    import urllib.request
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    admin = emulator.identity("admin")
    request = AWSRequest(method="POST", url=emulator.endpoint + "/", data=json.dumps(body).encode(),
                         headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(Credentials(admin["access_key_id"], admin["secret_access_key"]), service, emulator.region).add_auth(request)
    with urllib.request.urlopen(urllib.request.Request(request.url, data=request.body, headers=dict(request.headers), method="POST"),
                                timeout=30) as response:
        return response.status, json.loads(response.read())


def test_a_real_agents_node_gets_no_simulated_agent_and_its_ping_follows_its_calls_and_channel(mixed_fleet):
    real_id = real_node(2)["id"]
    ping = lambda: {i["InstanceId"]: i["PingStatus"] for i in mixed_fleet.client("ssm").describe_instance_information()["InstanceInformationList"]}
    assert list(mixed_fleet.control("state")["control_channels"]) == [real_node(1)["id"]]
    assert ping()[real_id] == "ConnectionLost"
    # Under every API fault the agent's own calls still answer: one failed health ping hibernates it for 5 minutes.
    mixed_fleet.faults(throttle=1.0, server_errors=1.0)
    # The agent's first call (agent/health/healthcheck.go); neither call is in botocore's public model.
    assert signed_post(mixed_fleet, "AmazonSSM.UpdateInstanceInformation", {"AgentName": "amazon-ssm-agent", "AgentVersion": "3.3.1142.0",
                                                                            "InstanceId": real_id, "PlatformType": "Linux",
                                                                            "ComputerName": "real-host"}, "ssm") == (200, {})
    assert signed_post(mixed_fleet, "AmazonSSM.ListInstanceAssociations", {"InstanceId": real_id, "MaxResults": 20}, "ssm") == (
        200, {"Associations": []})
    status, answer = signed_post(mixed_fleet, "EC2WindowsMessageDeliveryService.GetMessages",
                                 {"Destination": real_id, "MessagesRequestId": "r-1", "VisibilityTimeoutInSeconds": 10}, "ec2messages")
    assert (status, answer["Messages"], answer["Destination"]) == (200, [], real_id)
    mixed_fleet.control("reset", {})
    assert ping()[real_id] == "Online"
    assert mixed_fleet.control("nodes/%s" % real_id, {})["computer_name"] == "real-host"


def test_a_real_agents_node_is_online_while_its_control_channel_is_open(mixed_fleet):
    from emulator.agent.control import ControlChannelClient
    real_id = real_node(2)["id"]
    ping = lambda: {i["InstanceId"]: i["PingStatus"] for i in mixed_fleet.client("ssm").describe_instance_information()["InstanceInformationList"]}

    async def scenario():
        async with aiohttp.ClientSession() as http:
            client = ControlChannelClient(http, mixed_fleet.endpoint, real_id, Signer(*_admin_keys(), "us-east-1"), "3.3.1142.0")
            client.start()
            await asyncio.wait_for(client.ready.wait(), 10)
            online = await asyncio.get_running_loop().run_in_executor(None, ping)
            await client.stop()
            return online
    assert run(scenario())[real_id] == "Online"
    wait_until(lambda: ping()[real_id] == "ConnectionLost", what="ConnectionLost once the channel closed")


def test_a_session_through_the_gateway_as_a_real_agent_sees_it():
    """This test plays amazon-ssm-agent for a node marked "agent": "real": interactive_shell on its
    control channel, CreateDataChannel, its data channel paused until the client comes, stream
    data and acks relayed both ways, and the session ended by agent_session_state Terminating and
    the agent's data channel closing, with no agent_task_complete (a real agent's comes late)."""
    from dcclient import DataChannelClient, decode as dc_decode, encode as dc_encode
    from emulator.agent.control import ControlChannelClient

    async def scenario():
        fleet_doc = json.load(open(FLEET))
        fleet_doc["nodes"].append(real_node(3))
        state = State(fleet_doc, "us-east-1")
        emulator = Emulator(state, json.load(open(IDENTITIES)), Sessions(state))
        runner = web.AppRunner(emulator.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = "http://127.0.0.1:%d" % site._server.sockets[0].getsockname()[1]
        emulator.sessions.base_url = base.replace("http", "ws")
        http = aiohttp.ClientSession()
        try:
            signer = Signer(*_admin_keys(), "us-east-1")
            node_id = real_node(3)["id"]
            control = ControlChannelClient(http, base, node_id, signer, "3.3.1142.0")
            tasks = asyncio.Queue()

            async def on_task(instance_id, payload):
                await tasks.put(payload)
            control.on("interactive_shell", on_task)
            control.start()
            await asyncio.wait_for(control.ready.wait(), 10)
            assert state.nodes[node_id]["ping_status"] == "Online"

            admin = emulator.auth.by_name["admin"]
            session = emulator.sessions.create(state.nodes[node_id], None, {}, None, admin)
            task = json.loads((await next_item(tasks))["Content"])
            assert (task["SessionId"], task["DocumentName"], task["DocumentContent"]["sessionType"]) == (
                session.id, "SSM-SessionManagerRunShell", "Standard_Stream")

            url = base + "/v1/data-channel/" + session.id
            body = json.dumps({"MessageSchemaVersion": "1.0", "RequestId": str(uuid.uuid4()), "ClientId": "c-1"}).encode()
            async with http.post(url, data=body, headers=signer.headers("POST", url, body)) as response:
                assert response.status == 201
                token = (await response.text()).split("<TokenValue>")[1].split("<")[0]
            agent = await http.ws_connect(url.replace("http", "ws") + "?role=publish_subscribe",
                                          headers=signer.headers("GET", url + "?role=publish_subscribe"))
            await agent.send_str(json.dumps({"MessageSchemaVersion": "1.0", "RequestId": str(uuid.uuid4()), "TokenValue": token,
                                             "ClientInstanceId": node_id, "ClientId": "c-1"}))

            async def agent_gets():
                msg = await agent.receive(timeout=10)
                assert msg.type == aiohttp.WSMsgType.BINARY, msg
                return dc_decode(msg.data)
            paused = await agent_gets()
            assert paused["type"] == "pause_publication", "no client yet"
            assert paused["payload"], "the agent's parser logs an error for a 0-byte payload (agentmessage.go getInteger)"
            await agent.send_bytes(dc_encode("agent_session_state", 0, 0, 0, b'{"SchemaVersion":1,"SessionState":"Connected","SessionId":"x"}',
                                             uuid.uuid4()))

            client = DataChannelClient(session.stream_url, session.token, credentials=(*_admin_keys(), "us-east-1"))
            await client.connect()
            started = await agent_gets()
            assert started["type"] == "start_publication" and started["payload"]
            await agent.send_bytes(dc_encode("output_stream_data", 0, 1, 1, b"hello from the node", uuid.uuid4()))
            assert await client.next() == (1, b"hello from the node")
            ack = await agent_gets()
            assert (ack["type"], json.loads(ack["payload"])["AcknowledgedMessageSequenceNumber"]) == ("acknowledge", 0)
            await client.send(1, b"typed")
            typed = await agent_gets()
            assert (typed["type"], typed["seq"], typed["payload"]) == ("input_stream_data", 0, b"typed")

            await agent.send_bytes(dc_encode("agent_session_state", 0, 0, 0, b'{"SchemaVersion":1,"SessionState":"Terminating","SessionId":"x"}',
                                             uuid.uuid4()))
            await agent.close()
            await asyncio.wait_for(client.closed.wait(), 10)
            closed = client.closed_payload
            await client.close()
            await control.stop()
            return session, closed
        finally:
            await http.close()
            await runner.cleanup()

    session, closed = run(scenario())
    assert closed["SessionId"] == session.id and session.status == "Terminated" and session.agent_state == "Terminating"


def test_the_session_preferences_reach_the_agent_in_the_agent_task_payload():
    """KMS and run-as preferences travel in DocumentContent.inputs, where a real agent reads them
    (agent/contracts/model.go SessionInputs); port sessions are never encrypted."""
    async def scenario():
        async with InProcess() as env:
            env.state.faults.update({"kms_key_id": "alias/sessions", "run_as_enabled": True, "run_as_default_user": "ops"})
            node_id = "i-0a1b2c3d4e5f60001"
            tasks = asyncio.Queue()

            async def on_task(instance_id, payload):
                await tasks.put(json.loads(payload["Content"]))
            env.fleet.nodes[node_id].control.on("interactive_shell", on_task)
            admin = env.emulator.auth.by_name["admin"]
            shell = env.emulator.sessions.create(env.state.nodes[node_id], None, {}, None, admin)
            port = env.emulator.sessions.create(env.state.nodes[node_id], "AWS-StartPortForwardingSession", {"portNumber": ["8080"]}, None, admin)
            first, second = await next_item(tasks), await next_item(tasks)
            for s in (shell, port):
                env.emulator.sessions.get(s.id).terminate("done")
            return shell, first, second
    shell, first, second = run(scenario())
    assert first["SessionId"] == shell.id and first["SessionOwner"].endswith("/admin")
    assert (first["DocumentContent"]["inputs"]["kmsKeyId"], first["DocumentContent"]["inputs"]["runAsEnabled"],
            first["DocumentContent"]["inputs"]["runAsDefaultUser"]) == ("alias/sessions", True, "ops")
    assert second["DocumentContent"]["sessionType"] == "Port" and second["DocumentContent"]["inputs"]["kmsKeyId"] == ""
    assert second["Parameters"] == {"portNumber": "8080"}
    assert second["DocumentContent"]["properties"]["portNumber"] == "{{ portNumber }}"


def test_resume_session_closes_the_connection_it_replaces(emulator):
    # AWS ends the old data channel when a session is resumed on another; a client that stopped reading must not
    # keep its connection, read loop and fault timers alive at the gateway.
    from dcclient import DataChannelClient

    async def scenario():
        ssm = emulator.client("ssm")
        started = ssm.start_session(Target="i-0a1b2c3d4e5f60003")
        first = DataChannelClient(started["StreamUrl"], started["TokenValue"])
        await first.connect()
        await first.read_until(lambda d: b"$ " in d)
        for task in (first.reader, first.resender):   # stops reading, never closes
            task.cancel()
        resumed = ssm.resume_session(SessionId=started["SessionId"])
        second = DataChannelClient(resumed["StreamUrl"], resumed["TokenValue"])
        second.seq, second.expected, second.buffer = first.seq, first.expected, first.buffer   # one session, resumed
        await second.connect()
        deadline = time.monotonic() + 15
        while not emulator.control("state")["sessions"][started["SessionId"]]["client_close_codes"]:
            assert time.monotonic() < deadline, "the replaced connection was still open 15 s after ResumeSession"
            await asyncio.sleep(0.1)
        await second.send(1, b"echo second-$((6*7))\r")
        await second.read_until(lambda d: b"second-42" in d)
        ssm.terminate_session(SessionId=started["SessionId"])
        await second.close()
        await first.session.close()
    run(scenario())


def test_a_session_end_stuck_on_its_client_does_not_freeze_the_nodes_control_channel():
    # agent_task_complete ends the session, which sends the client channel_closed and closes the agent's data
    # channel: with a client that stopped reading that waits without bound. The node's control channel (its Run
    # Command acks and replies, its other sessions) must be read on meanwhile.
    async def scenario():
        async with InProcess() as env:
            node_id = "i-0a1b2c3d4e5f60002"
            node = env.fleet.nodes[node_id]
            never = asyncio.Event()

            class StuckSession:
                node = {"id": node_id}

                async def agent_task_complete(self, output):
                    await never.wait()   # as a drain on a client socket that nobody reads

            env.emulator.sessions.by_id["s-stuck"] = StuckSession()
            at_service, acks = asyncio.Queue(), asyncio.Queue()

            async def on_pong(instance_id, payload):
                await at_service.put(payload)

            async def on_ack(instance_id, payload):
                await acks.put(payload)

            env.emulator.control.on("test_pong", on_pong)
            node.control.on("agent_task_acknowledge", on_ack)
            completed = node.control.send("agent_task_complete", {"SchemaVersion": 1, "TaskId": "s-stuck", "Topic": "agent_task_complete",
                                                                   "FinalTaskStatus": "Success", "Output": ""})
            node.control.send("test_pong", {"After": 1})
            assert (await next_item(at_service, 5))["After"] == 1, "the control channel is read on"
            assert (await next_item(acks, 5))["MessageId"] == completed
            never.set()
    run(scenario())


def test_a_cancel_sent_while_the_nodes_control_channel_is_down_reaches_the_agent_once_it_is_back(monkeypatch):
    # CancelCommand is the agent's cancel job: like a job, it is sent again until the agent acknowledges it, so a
    # control channel that was down at the cancel does not let the command run on to Success.
    import boto3
    from emulator.agent import control as agent_control
    monkeypatch.setattr(agent_control, "RETRY_DELAY", 3.0)   # the channel stays down while CancelCommand is called

    async def scenario():
        async with InProcess() as env:
            key, secret = _admin_keys()
            ssm = boto3.client("ssm", region_name="us-east-1", endpoint_url=env.base, aws_access_key_id=key, aws_secret_access_key=secret)
            node_id = "i-0a1b2c3d4e5f60003"
            command_id = (await asyncio.to_thread(ssm.send_command, DocumentName="AWS-RunShellScript", InstanceIds=[node_id],
                                                  Parameters={"commands": ["sleep 12", "echo finished"]}))["Command"]["CommandId"]

            async def status_becomes(wanted, seconds):
                deadline = time.monotonic() + seconds
                while True:
                    try:
                        status = (await asyncio.to_thread(ssm.get_command_invocation, CommandId=command_id, InstanceId=node_id))["Status"]
                    except ssm.exceptions.InvocationDoesNotExist:
                        status = "Pending"
                    if status in wanted:
                        return status
                    assert time.monotonic() < deadline, "the invocation was %s after %d s" % (status, seconds)
                    await asyncio.sleep(0.1)

            await status_becomes(("InProgress",), 10)
            await env.emulator.control.sockets[node_id].close()
            while env.emulator.control.connected(node_id):
                await asyncio.sleep(0.05)
            await asyncio.to_thread(ssm.cancel_command, CommandId=command_id, InstanceIds=[node_id])
            assert await status_becomes(("Success", "Failed", "TimedOut", "Cancelled"), 20) == "Cancelled"
            assert not env.emulator.ssm.jobs.jobs and not env.emulator.ssm.jobs.acked, "an ended invocation's job is forgotten"
    run(scenario())


def test_a_client_far_behind_never_makes_the_agent_reopen_its_data_channel(emulator):
    """The agent pings its data channel and reopens it when no pong comes in time (54 s and 60 s for
    amazon-ssm-agent; 1 s and 2 s here). The relay stopped reading the agent's channel while a frame
    waited for a client that did not read, so the gateway answered no ping, and a client a few seconds
    behind made the agent reopen its channel. Now what the client has not taken waits in the gateway."""
    import signal
    import subprocess
    import threading
    from test_shell import BINARY, shell_env
    emulator.faults(agent_ping_interval=1, agent_pong_wait=2)
    size = 32 << 20
    shell = subprocess.Popen([BINARY, "-c", "connect web-2 --command 'head -c %d /dev/zero'" % size], env=shell_env(emulator, "admin"),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    received = [0]
    first = threading.Event()

    def count():
        while True:
            chunk = shell.stdout.read1(1 << 16)
            if not chunk:
                return
            received[0] += len(chunk)
            first.set()
    reader = threading.Thread(target=count, daemon=True)
    reader.start()
    try:
        assert first.wait(60), "no output came"
        shell.send_signal(signal.SIGSTOP)      # the client stops reading, far past the agent's 2 s
        time.sleep(6)
        shell.send_signal(signal.SIGCONT)
        shell.wait(timeout=120)
        reader.join(10)
        err = shell.stderr.read()
    finally:
        shell.send_signal(signal.SIGCONT)
        if shell.poll() is None:
            shell.kill()
            shell.wait()
    assert shell.returncode == 0, err.decode()
    assert received[0] == size, json.dumps([s for s in emulator.control("state")["sessions"].values() if s["target"] == "i-0a1b2c3d4e5f60002"][-1])
    sessions = [s for s in emulator.control("state")["sessions"].values()
                if s["target"] == "i-0a1b2c3d4e5f60002" and s["document"] == "AWS-StartNonInteractiveCommand"]
    assert sessions[-1]["agent_connections"] == 1, sessions[-1]


def test_a_client_that_resumes_after_the_session_finished_still_hears_channel_closed(emulator):
    # channel_closed is due to every client connection: one that was away when the shell exited and
    # resumes afterwards must hear it (with the exit status), not wait for its liveness check. The
    # session's queue towards the client is closed by then, and took the frame no more (review R3).
    from dcclient import DataChannelClient

    async def scenario():
        ssm = emulator.client("ssm")
        started = ssm.start_session(Target="i-0a1b2c3d4e5f60003")
        first = DataChannelClient(started["StreamUrl"], started["TokenValue"])
        await first.connect()
        await first.read_until(lambda d: b"$ " in d)
        await first.send(1, b"sleep 1; exit 3\r")
        await first.read_until(lambda d: b"exit 3" in d)   # the agent has the line
        for task in (first.reader, first.resender):
            task.cancel()
        await first.session.close()                          # away before the shell exits
        state = lambda: emulator.control("state")["sessions"][started["SessionId"]]["status"]
        wait_until(lambda: state() == "Terminated", 15, "the session to finish while its client is away")
        # ResumeSession of a finished session gives no token (as AWS); the stream URL's own token
        # still opens the channel, as the client's reconnect would.
        second = DataChannelClient(started["StreamUrl"], started["TokenValue"])
        second.seq, second.expected, second.buffer = first.seq, first.expected, first.buffer
        await second.connect()
        await asyncio.wait_for(second.closed.wait(), 5)
        assert second.closed_payload is not None, "the resumed client got no channel_closed"
        await second.close()
    run(scenario())
