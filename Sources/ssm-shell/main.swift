import SSMShell

// Only argv parsing and wiring live here; everything else is in SSMShell.
// The machine (clocks, files, processes, terminal) is made here, once, and passed in.
Launcher.prepareProcess()
let arguments = Array(CommandLine.arguments.dropFirst())
Launcher.runToExit { await Launcher.run(arguments: arguments, services: .system()) }
