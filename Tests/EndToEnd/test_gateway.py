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

from conftest import ROOT

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
        self.fleet = SimulatedFleet(self.state, self.emulator.auth, self.base)
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
