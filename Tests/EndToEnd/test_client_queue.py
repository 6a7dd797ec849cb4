"""The gateway's queue towards a client (gateway/client_queue.py) never drops what the agent sent: at
its limit the relay waits (back-pressure), because the real agent resends only its oldest
unacknowledged message, once every 100 ms, and keeps no copy past its window (amazon-ssm-agent
datachannel.go), so a dropped frame could be lost for good. Pure asyncio, no emulator."""
import asyncio
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "emulator"))
from emulator.gateway.client_queue import ClientQueue  # noqa: E402


def test_at_its_limit_the_queue_makes_the_relay_wait_and_drops_nothing():
    async def scenario():
        delivered = []
        gate = asyncio.Event()

        async def slow_client(frame):
            await gate.wait()          # a client that takes nothing until the gate opens
            delivered.append(frame)

        queue = ClientQueue(slow_client, limit=100)
        frames = [bytes([n]) * 40 for n in range(10)]   # 400 bytes through a 100-byte queue

        async def relay():
            for frame in frames:
                await queue.wait_for_room(len(frame))
                queue.put(frame)

        relaying = asyncio.get_running_loop().create_task(relay())
        await asyncio.sleep(0.05)      # the relay runs until the queue is full, then waits
        assert not relaying.done(), "the relay must wait at the limit, not drop and go on"
        assert queue.held <= 100
        gate.set()
        await asyncio.wait_for(relaying, 5)
        await queue.flushed(5)
        assert delivered == frames     # every frame, in order
        queue.close()

    asyncio.run(scenario())


def test_a_closed_queue_lets_a_waiting_relay_go_and_takes_nothing_more():
    async def scenario():
        never = asyncio.Event()

        async def stuck_client(frame):
            await never.wait()

        queue = ClientQueue(stuck_client, limit=10)
        queue.put(b"x" * 10)
        waiting = asyncio.get_running_loop().create_task(queue.wait_for_room(5))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        queue.close()
        await asyncio.wait_for(waiting, 5)
        assert queue.put(b"late") is False, "a frame after close must not start a writer that never ends"
        assert queue.task is None

    asyncio.run(scenario())
