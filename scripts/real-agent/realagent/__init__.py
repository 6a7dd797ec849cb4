"""with-agent: the emulator as the service side and real amazon-ssm-agent nodes, in private namespaces."""
