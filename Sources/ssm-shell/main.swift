import SSMShell

// Only argv parsing and wiring live here; everything else is in SSMShell.
let status = await Launcher.run(arguments: Array(CommandLine.arguments.dropFirst()))
Launcher.exit(status)
