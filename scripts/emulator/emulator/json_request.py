"""The part every JSON 1.1 service shares before IAM: the model's operation, a handler that serves
it, and a body that is a JSON object (botocore's json protocol; AWS answers
UnknownOperationException and SerializationException as below)."""
import json

from .errors import AWSError


def decode_json_call(model, service_impl, operation, body):
    """The operation's model, the service's handler for it and the request's parameters."""
    try:
        operation_model = model.operation_model(operation)
    except Exception:
        raise AWSError("UnknownOperationException", "")
    handler = getattr(service_impl, operation, None)
    if handler is None:
        raise AWSError("UnknownOperationException", "The emulator does not serve %s." % operation)
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        raise AWSError("SerializationException", "Start of structure or map found where not expected.")
    if not isinstance(params, dict):
        raise AWSError("SerializationException", "Start of structure or map found where not expected.")
    return operation_model, handler, params
