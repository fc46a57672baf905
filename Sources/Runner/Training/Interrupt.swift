import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C during training: the first one asks the loop to stop after the current batch (the run
/// folder keeps every file it has, each complete); a second one ends the process at once.
public enum Interrupt {
    private static let requested = Atomic<Bool>(false)

    /// Whether Ctrl-C was pressed since `install()`.
    public static var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Routes SIGINT to the flag (the CLI calls this; library users decide for themselves).
    public static func install() {
        requested.store(false, ordering: .relaxed)
        // A parent (a test runner, a job system) may have started us with SIGINT blocked.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in
            if Interrupt.requested.exchange(true, ordering: .relaxed) { _exit(130) }
        }
    }
}
