/// `ssm-shell --help`. The command words come from CommandRegistry.
enum HelpText {
    static var usage: String {
        """
        ssm-shell: a native shell for AWS Systems Manager (Session Manager and Run Command).

        Usage:
          ssm-shell [OPTIONS]                      the interactive prompt (stdin is a terminal)
          ssm-shell [OPTIONS] FILE [ARG...]        run a script; ARGs are $1, $2, ...
          ssm-shell [OPTIONS] -c 'COMMANDS' [ARG...]
          ssm-shell [OPTIONS] -                    read commands from stdin (also when stdin is not a terminal)
          ssm-shell [OPTIONS] api SERVICE OPERATION [JSON]
                                                   one AWS call (SERVICE: ssm, sts or ec2), its reply as JSON
          ssm-shell [OPTIONS] \(CommandRegistry.runAlone.joined(separator: "|")) ...
                                                   one command (a script of that name runs as ./NAME)

        Options:
          --profile NAME       the profile in ~/.aws/config and ~/.aws/credentials (AWS_PROFILE)
          --region REGION      the AWS region (AWS_REGION, AWS_DEFAULT_REGION, the profile's region)
          --endpoint-url URL   send SSM requests (api: SERVICE's) to URL; other services follow
                               AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL and the config file
          --output FORMAT      table (default on a terminal), text or json
          --cli-connect-timeout SECONDS
                               time to reach an endpoint, a call's retries included (default 2; 0: none)
          --cli-read-timeout SECONDS
                               time an answer may stall (default 60; 0: none)
          --no-color           no colours (also with NO_COLOR set)
          --quiet              no progress or notices on stderr
          --debug              log every request and response on stderr, with secrets masked
          --init               run init.ssm before a script or -c too (it runs before the prompt)
          --no-init            do not run init.ssm ($XDG_CONFIG_HOME/ssm-shell/init.ssm, else
                               ~/.config/ssm-shell/init.ssm)
          --version            print the version, git commit and build date, and exit
          -h, --help           print this help and exit

        \(commandList) Type 'help' at the prompt for details.
        Exit status: 0 success, 1 error, 2 usage or syntax error, 3 remote failure, 130 interrupted.
        A script stops at its first failing command, a wait in which any node failed included,
        unless the command is under 'try' or 'set keep-going on' is set.
        Configuration, credentials and endpoints are read as the AWS CLI reads them.

        """
    }

    /// "Commands: use, instances, ...", wrapped before 100 columns.
    static var commandList: String {
        var lines = ["Commands:"]
        for (index, name) in CommandRegistry.names.enumerated() {
            let word = name + (index == CommandRegistry.names.count - 1 ? "." : ",")
            if lines[lines.count - 1].count + 1 + word.count > 99 { lines.append(word) } else { lines[lines.count - 1] += " " + word }
        }
        return lines.joined(separator: "\n")
    }
}
