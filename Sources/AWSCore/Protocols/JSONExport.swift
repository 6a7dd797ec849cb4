// JSONValue lives in the JSON module so that SessionProtocol can use it without AWSCore; every
// module that imports AWSCore keeps seeing it as before.
@_exported public import JSON
