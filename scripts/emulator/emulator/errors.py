"""AWS error responses in each protocol's shape."""
import json
from xml.sax.saxutils import escape


class AWSError(Exception):
    """An error the service returns: code, message, HTTP status."""

    def __init__(self, code, message, status=400, sender=True, namespace=None):
        super().__init__(message)
        self.namespace = namespace  # JSON: the "__type" prefix of a modeled error ("" for CloudWatch Logs' bare codes)
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender


def json_body(error, request_id):
    """JSON 1.1: front-end errors carry the coral namespace, modeled ones the service's."""
    front_end = {"AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
                 "IncompleteSignature", "MissingAuthenticationTokenException", "ExpiredTokenException",
                 "ThrottlingException", "SerializationException", "UnknownOperationException",
                 "InternalFailure", "ServiceUnavailable"}
    if error.namespace is not None:
        return json.dumps({"__type": error.namespace + error.code, "message": error.message}).encode()
    if error.code == "ValidationException":
        type_ = "com.amazon.coral.validate#ValidationException"
    elif error.code in front_end:
        type_ = "com.amazon.coral.service#" + error.code
    else:
        type_ = "com.amazonaws.ssm#" + error.code
    key = "message" if error.code in front_end or error.code == "ValidationException" else "Message"
    return json.dumps({"__type": type_, key: error.message}).encode()


def query_body(error, request_id):
    """awsQuery (STS, IAM): <ErrorResponse>."""
    return ("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
            "  <Error>\n    <Type>%s</Type>\n    <Code>%s</Code>\n    <Message>%s</Message>\n  </Error>\n"
            "  <RequestId>%s</RequestId>\n</ErrorResponse>\n" % (
                "Sender" if error.sender else "Receiver", escape(error.code), escape(error.message), request_id)).encode()


def ec2_body(error, request_id):
    """EC2: <Response><Errors><Error>."""
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>%s</Code><Message>%s</Message>"
            "</Error></Errors><RequestID>%s</RequestID></Response>" % (escape(error.code), escape(error.message), request_id)).encode()
