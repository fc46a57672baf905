import ArgumentParser
import Collectives
import Foundation

/// The `specrun` command line. Each subcommand lives in Commands/; the work is done by the
/// libraries, so that it can be tested without running the binary.
@main
struct Specrun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "specrun",
        abstract: "Check, describe and train neural networks written as YAML specs.",
        version: "0.1.0",
        subcommands: commands,
        defaultSubcommand: Train.self)

    /// Every subcommand, in the order `--help` lists them: adding one is one line here.
    static let commands: [ParsableCommand.Type] = [
        Train.self,
        Eval.self,
        Predict.self,
        Fetch.self,
        Bench.self,
        ReportCommand.self,
        Validate.self,
        Summary.self,
        GraphCommand.self,
        ExportTorch.self,
        ExportONNX.self,
        Schema.self,
        Explain.self,
        Docs.self,
    ]

    /// Runs the command; usage errors exit with status 2 (ArgumentParser's default is 64), so that
    /// scripts can tell "invalid spec" (1) from "wrong invocation" (2).
    static func main() {
        _ = processStart
        // `specrun` alone: the overview of commands, not an error about a missing spec (the
        // default command is train, which needs one).
        if CommandLine.arguments.count == 1 {
            print(helpMessage())
            return
        }
        do {
            var command = try parseAsRoot()
            // K copies of another command would each do the whole work and print it K times.
            if !(command is Train || command is Bench), let launch = Launch.detect(ProcessInfo.processInfo.environment), launch.size != 1 {
                printError("error: this command runs as one process; only `specrun train` and `specrun bench` run data-parallel "
                           + "under \(launch.launcher) (\(launch.evidence))\n")
                Foundation.exit(2)
            }
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error) + "\n")
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
