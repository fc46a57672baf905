import Foundation

/// How this process was started, read from the variables MPI launchers set for the processes
/// they start: alone (nil), or as one of a job's processes.
public struct Launch: Equatable, Sendable {
    /// Who started it, for messages (`Open MPI's mpirun`).
    public var launcher: String
    /// The variable that says so, with its value (`OMPI_COMM_WORLD_SIZE=2`).
    public var evidence: String
    /// The job's size as the launcher tells it, when it does.
    public var size: Int?

    public init(launcher: String, evidence: String, size: Int?) {
        self.launcher = launcher
        self.evidence = evidence
        self.size = size
    }

    /// The launch the environment describes, or nil for a process started on its own.
    public static func detect(_ environment: [String: String]) -> Launch? {
        func number(_ name: String) -> Int? { environment[name].flatMap { Int($0) } }
        if let size = number("OMPI_COMM_WORLD_SIZE") {
            return Launch(launcher: "Open MPI's mpirun", evidence: "OMPI_COMM_WORLD_SIZE=\(size)", size: size)
        }
        if let size = number("PMI_SIZE") {
            return Launch(launcher: "a PMI launcher (MPICH's mpiexec, srun --mpi=pmi2)", evidence: "PMI_SIZE=\(size)", size: size)
        }
        if let rank = environment["PMIX_RANK"] {
            return Launch(launcher: "a PMIx launcher (srun --mpi=pmix)", evidence: "PMIX_RANK=\(rank)", size: number("SLURM_STEP_NUM_TASKS"))
        }
        return nil
    }
}

/// Why a launched process cannot take part in its job.
public struct LaunchError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Starts this process's part in its job.
public enum Launcher {
    /// Seconds a collective waits for the other processes before the job is ended, unless
    /// `SPECRUN_MPI_TIMEOUT` says otherwise (0: for ever).
    public static let defaultTimeout = 300.0

    /// `SingleProcess` for a process started on its own (MPI is never initialised then); for one
    /// an MPI launcher started, MPI's communicator, after checking that MPI sees the job the
    /// launcher made: a binary built against one MPI and started by another's launcher
    /// initialises as a job of one, so K copies would each train alone.
    public static func communicator(environment: [String: String] = ProcessInfo.processInfo.environment) throws(LaunchError) -> any Communicator {
        guard let launch = Launch.detect(environment) else { return SingleProcess() }
        let timeout = try self.timeout(environment)
        let communicator = MPICommunicator(timeout: timeout)
        if let expected = launch.size, expected != communicator.size {
            communicator.finish()
            throw LaunchError(description: "specrun was started by \(launch.launcher) as one of \(expected) processes (\(launch.evidence)), "
                              + "but its MPI library (\(communicator.library)) sees a job of \(communicator.size): the launcher "
                              + "belongs to another MPI. Start specrun with the launcher of the MPI it was built with "
                              + "(`mpirun` of Open MPI on Debian; `srun --mpi=pmix` under Slurm)")
        }
        return communicator
    }

    /// The collective timeout `SPECRUN_MPI_TIMEOUT` asks for; nil to wait for ever.
    public static func timeout(_ environment: [String: String]) throws(LaunchError) -> Double? {
        guard let text = environment["SPECRUN_MPI_TIMEOUT"] else { return defaultTimeout }
        guard let seconds = Double(text), seconds.isFinite, seconds >= 0 else {
            throw LaunchError(description: "SPECRUN_MPI_TIMEOUT must be a number of seconds (0 waits for ever), got '\(text)'")
        }
        return seconds == 0 ? nil : seconds
    }
}
