/// `ssm-shell --help`.
enum HelpText {
    static let usage = """
    ssm-shell: a native shell for AWS Systems Manager (Session Manager and Run Command).

    Usage:
      ssm-shell [OPTIONS]                      the interactive prompt (coming with issue 4)
      ssm-shell [OPTIONS] FILE [ARGS...]       run a script
      ssm-shell [OPTIONS] api SERVICE OPERATION [JSON]
                                               call one AWS API operation and print its JSON reply
                                               (SERVICE: ssm, sts or ec2; JSON: the input, default {})

    Options:
      --profile NAME       the profile in ~/.aws/config and ~/.aws/credentials (AWS_PROFILE)
      --region REGION      the AWS region (AWS_REGION, AWS_DEFAULT_REGION, the profile's region)
      --endpoint-url URL   send requests to URL instead of the AWS endpoint (AWS_ENDPOINT_URL_SSM, ...)
      --debug              log every request and response on stderr, with secrets masked
      --version            print the version and exit
      -h, --help           print this help and exit

    Configuration, credentials and endpoints are read as the AWS CLI reads them.

    """
}
