"""The simulated agent's CloudWatch events, cut as amazon-ssm-agent 3.3 cuts them
(cloudwatchlogsservice.go getNextMessage, buildEventInfo), and its group and stream names
(messageutil.go, runpluginutil.go): pure values, no emulator."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "emulator"))
from emulator.agent.cloudwatch_events import MESSAGE_THRESHOLD, EventBatcher  # noqa: E402
from emulator.agent.output_cloudwatch import cloudwatch_settings  # noqa: E402


def upload(batcher):
    """One upload that succeeds: its messages, committed."""
    messages, consumed, finished = batcher.next_events()
    batcher.commit(consumed)
    return messages, finished


def test_complete_lines_go_as_one_event_and_a_partial_line_waits():
    b = EventBatcher()
    b.write(b"one\ntwo\nthr")
    assert upload(b) == (["one\ntwo\n"], False)
    assert upload(b) == ([], False)
    b.write(b"ee\r\nfour")
    assert upload(b) == (["three\n"], False)      # "\r\n" becomes "\n"
    b.complete = True
    assert upload(b) == (["four"], False)
    assert upload(b) == ([], True)


def test_once_complete_every_event_built_loses_one_final_newline():
    b = EventBatcher()
    line = b"x" * 99_999 + b"\n"                    # 100,000 bytes a line: two fit an event
    b.write(line * 3 + b"end\n")
    b.complete = True
    messages, finished = upload(b)
    assert [len(m) for m in messages] == [199_999, 99_999 + 1 + 3] and not finished
    assert not messages[0].endswith("\n") and messages[1].endswith("end")
    assert upload(b) == ([], True)


def test_a_failed_upload_is_sent_again_and_nothing_is_lost():
    b = EventBatcher()
    b.write(b"a\n")
    messages, consumed, _ = b.next_events()       # not committed: the upload failed
    b.write(b"b\n")
    assert b.next_events()[0] == ["a\nb\n"]


def test_at_most_four_events_an_upload_and_long_lines_in_200000_byte_pieces():
    b = EventBatcher()
    b.write(b"y" * (MESSAGE_THRESHOLD * 5 + 10))   # one line, no newline yet
    first, _ = upload(b)
    assert [len(m) for m in first] == [MESSAGE_THRESHOLD] * 4
    assert upload(b) == (["y" * MESSAGE_THRESHOLD], False)   # the 10 bytes left wait for their newline
    b.write(b"\n")
    b.complete = True
    assert upload(b) == (["y" * 10], False)
    assert upload(b) == ([], True)


def test_a_final_lone_newline_sends_no_empty_event():
    b = EventBatcher()
    b.write(b"\n")
    b.complete = True
    assert upload(b) == ([], False)
    assert upload(b) == ([], True)


def test_empty_output_ends_at_once():
    b = EventBatcher()
    b.complete = True
    assert upload(b) == ([], True)


def test_group_and_stream_names_as_the_agent_makes_them():
    content = {"CloudWatchOutputEnabled": "true", "DocumentName": "My Doc:v2"}
    assert cloudwatch_settings(content, "cmd-1", "i-0abc", "aws:runShellScript") == (
        "/aws/ssm/My.Doc.v2", "cmd-1/i-0abc/aws-runShellScript")
    named = dict(content, CloudWatchLogGroupName="/custom/group")
    assert cloudwatch_settings(named, "cmd-1", "i-0abc", "a*b:c")[0] == "/custom/group"
    assert cloudwatch_settings(named, "cmd-1", "i-0abc", "a*b:c")[1] == "cmd-1/i-0abc/a-b-c"
    assert cloudwatch_settings({"CloudWatchOutputEnabled": "false"}, "c", "i", "p") is None
    assert cloudwatch_settings({"CloudWatchOutputEnabled": "1", "DocumentName": "D"}, "c", "i", "p")[0] == "/aws/ssm/D"


class RefusingLogs:
    """A CloudWatch Logs client whose CreateLogStream is refused: the stream's uploads stop."""

    def __init__(self):
        self.calls = []

    async def call(self, operation, params):
        from emulator.agent.aws_json import AWSCallError
        self.calls.append(operation)
        if operation == "CreateLogStream":
            raise AWSCallError("AccessDeniedException", "not allowed")
        return {}


def test_a_stream_whose_uploads_stopped_holds_nothing_more_and_discard_stops_the_rest():
    # Review finding: writes went on piling up in memory after the stream was refused.
    import asyncio
    from emulator.agent.output_cloudwatch import CloudWatchOutput

    async def scenario():
        sink = CloudWatchOutput(RefusingLogs(), "/aws/ssm/x", "cmd/i-1/aws-runShellScript", frequency=0.001)
        await sink.open()
        sink.write("stdout", b"first\n")
        stdout = sink.streams["stdout"]
        await asyncio.wait_for(stdout.task, 5)          # ends at its refused CreateLogStream
        sink.write("stdout", b"x" * 1000)
        assert len(stdout.batcher.pending) == len(b"first\n")
        stderr = sink.streams["stderr"]
        assert not stderr.task.done()
        sink.discard()
        await asyncio.gather(stderr.task, return_exceptions=True)
        assert stderr.task.cancelled()

    asyncio.run(scenario())


def test_what_is_not_uploaded_yet_is_held_up_to_a_cap():
    import asyncio
    from emulator.agent import output_cloudwatch

    class SilentLogs:
        async def call(self, operation, params):
            return {}

    async def scenario():
        sink = output_cloudwatch.CloudWatchOutput(SilentLogs(), "/g", "p", frequency=3600)
        await sink.open()
        chunk = b"y" * (1 << 20)
        for _ in range((output_cloudwatch.MAX_PENDING_BYTES >> 20) + 8):
            sink.write("stdout", chunk)
        stdout = sink.streams["stdout"]
        assert len(stdout.batcher.pending) == output_cloudwatch.MAX_PENDING_BYTES
        stdout.batcher.commit(len(stdout.batcher.pending))   # uploaded meanwhile
        sink.write("stdout", b"later\n")                     # still dropped: no hole in the middle
        assert len(stdout.batcher.pending) == 0
        sink.discard()

    asyncio.run(scenario())


def test_s3_output_discard_removes_its_files():
    import asyncio
    from emulator.agent.output_s3 import S3Output

    async def scenario():
        sink = S3Output(None, "bucket", "prefix", "0.awsrunShellScript")
        await sink.open()
        directory = sink.directory
        sink.write("stdout", b"kept until discard")
        assert os.listdir(directory)
        sink.discard()
        assert not os.path.exists(directory)
        sink.discard()                                  # twice is harmless

    asyncio.run(scenario())
