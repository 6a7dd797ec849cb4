"""Where Run Command output goes in S3, as amazon-ssm-agent 3.3 names it, and the URL the service
shows for it. Pure functions, used by the service (runcommand.py) and the simulated agent
(agent/output_s3.py).

The agent's key for a plugin's stream (runcommand/utils.go: s3KeyPrefix = path.Join(
OutputS3KeyPrefix, CommandId, InstanceId); docparser.go and runpluginutil.go add the plugin name;
iohandler.go Init adds the plugin name and the step name; iomodule/fileS3.go adds "stdout" or
"stderr"; fileutil.BuildS3Path joins with path.Join and drops ':' from each added element):
    <OutputS3KeyPrefix>/<CommandId>/<InstanceId>/awsrunShellScript/0.awsrunShellScript/stdout
The plugin's reply reports outputS3KeyPrefix <prefix>/<CommandId>/<InstanceId>/awsrunShellScript
and stepName 0.awsrunShellScript (contracts/aggregator.go)."""
import posixpath
from urllib.parse import quote

STREAMS = ("stdout", "stderr")     # iohandler DefaultOutputConfig StdoutFileName, StderrFileName


def go_path_join(*elements):
    """Go's path.Join: the non-empty elements joined by '/', then cleaned ('//', '.', '..' and a
    trailing '/' resolved); "" when every element is empty."""
    joined = "/".join(e for e in elements if e)
    if not joined:
        return ""
    cleaned = posixpath.normpath(joined)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def build_s3_path(root, *elements):
    """fileutil.BuildS3Path: ROOT joined with each element, its ':' removed."""
    path = root
    for element in elements:
        path = go_path_join(path, element.replace(":", ""))
    return path


def plugin_key_prefix(user_prefix, command_id, instance_id, plugin_name):
    """The outputS3KeyPrefix a plugin's reply reports."""
    return build_s3_path(go_path_join(user_prefix, command_id, instance_id), plugin_name)


def step_name(property_id):
    """runpluginutil.go: a schema 1.2 step is its property's id, ':' removed (0.awsrunShellScript)."""
    return property_id.replace(":", "")


def stream_key(plugin_prefix, step, stream):
    """The key of one stream: iohandler Init (plugin prefix, step) then fileS3.go (the file name)."""
    return build_s3_path(plugin_prefix, step, stream)


def object_url(region, bucket, key):
    """StandardOutputUrl / StandardErrorUrl: a path-style regional S3 URL, key percent-encoded."""
    return "https://s3.%s.amazonaws.com/%s/%s" % (region, bucket, quote(key, safe="/~"))
