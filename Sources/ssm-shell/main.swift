import SSMShell

// Only argv parsing and wiring live here; everything else is in SSMShell.
// The machine (clocks, files, processes, terminal) is made here, once, and passed in.
Launcher.prepareProcess()
let status = await Launcher.run(arguments: Array(CommandLine.arguments.dropFirst()), services: .system())
Launcher.exit(status)
