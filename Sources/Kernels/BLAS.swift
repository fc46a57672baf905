#if canImport(Glibc)
import Glibc
#endif

/// Single-precision matrix products through the system's CBLAS (OpenBLAS).
///
/// OpenBLAS is opened at run time with `dlopen` rather than linked, because of a measured problem:
/// Debian's OpenBLAS 0.3.21 does not recognise recent AVX-512 CPUs (Sapphire Rapids class) and
/// falls back to its slowest kernels ("Prescott", about 40 GFLOP/s sgemm on 2 threads instead of
/// about 290). The library picks its kernels once, when it is loaded, from `OPENBLAS_CORETYPE`.
/// A linked library is loaded before `main` runs, too early to set that. Loading it ourselves lets
/// every client of this module get the right kernels: load, ask the library which core it chose,
/// and only if it chose a pre-AVX fallback on a CPU that has AVX2 or AVX-512, unload it, set
/// `OPENBLAS_CORETYPE`, and load it again. Where the library knows the CPU, or the user set
/// `OPENBLAS_CORETYPE` themselves, it is left alone.
public enum BLAS {
    /// What was loaded, and whether the core type had to be corrected.
    public struct Status: Sendable, CustomStringConvertible {
        /// The shared object that was opened.
        public var library: String
        /// The kernel family OpenBLAS runs (`openblas_get_corename`), or "unknown" for another CBLAS.
        public var coreName: String
        /// The core name OpenBLAS chose by itself, when specrun had to override it.
        public var detectedCoreName: String?
        public var description: String {
            if let detected = detectedCoreName {
                return "\(library) (core \(coreName); OpenBLAS detected \(detected), overridden with OPENBLAS_CORETYPE)"
            }
            return "\(library) (core \(coreName))"
        }
    }

    /// Loads the BLAS on first use; throws a message a user can act on when there is none.
    public static func load() throws(BLASError) -> Status {
        switch loaded {
        case .success(let lib): return lib.status
        case .failure(let error): throw error
        }
    }

    /// C = alpha * op(A) * op(B) + beta * C for row-major matrices, op(X) = X or Xᵀ.
    /// op(A) is m x k, op(B) is k x n, C is m x n; `lda`, `ldb`, `ldc` are row strides.
    @inline(__always)
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {  // BLAS leaves C untouched only when beta == 1; make k == 0 mean "scale C by beta".
            for i in 0..<m {
                for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
            }
            return
        }
        library.sgemm(
            101, transA ? 112 : 111, transB ? 112 : 111, Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Runs `body` with OpenBLAS on one thread, for loops that already split their GEMMs across
    /// `Parallel`'s threads: OpenBLAS's own workers would compete for the same cores and spin
    /// in sched_yield (27% of a conv2d profile). Only call it from the thread that drives the
    /// computation: the setting is process-wide.
    public static func singleThreaded<R>(_ body: () throws -> R) rethrows -> R {
        guard Parallel.threadCount > 1, let set = library.setThreads else { return try body() }
        set(1)
        defer { set(Int32(Parallel.threadCount)) }
        return try body()
    }

    // MARK: - Loading

    typealias SgemmFunction = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
        UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
    ) -> Void
    typealias CoreNameFunction = @convention(c) () -> UnsafeMutablePointer<CChar>?
    typealias SetThreadsFunction = @convention(c) (Int32) -> Void

    struct Library: @unchecked Sendable {
        let sgemm: SgemmFunction
        let status: Status
        let setThreads: SetThreadsFunction?
    }

    static var library: Library {
        switch loaded {
        case .success(let lib): return lib
        case .failure(let error): fatalError(error.description)
        }
    }

    private static let loaded: Result<Library, BLASError> = open()

    /// Kernel families older than AVX: OpenBLAS falls back to these for CPUs it does not know.
    public static let fallbackCores: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai", "coppermine", "northwood", "banias"]

    private static func open() -> Result<Library, BLASError> {
        var candidates = ["libopenblas.so.0", "libopenblas.so", "libblas.so.3"]
        if let custom = getenv("SPECRUN_BLAS") { candidates.insert(String(cString: custom), at: 0) }
        for name in candidates {
            guard var handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
            guard dlsym(handle, "cblas_sgemm") != nil else { dlclose(handle); continue }
            var detected: String?
            var core = coreName(handle)
            if let core0 = core, getenv("OPENBLAS_CORETYPE") == nil, fallbackCores.contains(core0.lowercased()),
               let better = CPUFeatures.current.bestOpenBLASCore {
                dlclose(handle)  // OpenBLAS's destructor stops its threads; the reload re-runs its setup.
                setenv("OPENBLAS_CORETYPE", better, 1)
                guard let reloaded = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
                handle = reloaded
                detected = core0
                core = coreName(handle)
            }
            let setThreads = dlsym(handle, "openblas_set_num_threads").map { unsafeBitCast($0, to: SetThreadsFunction.self) }
            setThreads?(Int32(Parallel.threadCount))
            let sgemm = unsafeBitCast(dlsym(handle, "cblas_sgemm")!, to: SgemmFunction.self)
            return .success(Library(sgemm: sgemm, status: Status(library: name, coreName: core ?? "unknown", detectedCoreName: detected),
                                    setThreads: setThreads))
        }
        return .failure(BLASError(tried: candidates))
    }

    private static func coreName(_ handle: UnsafeMutableRawPointer) -> String? {
        guard let symbol = dlsym(handle, "openblas_get_corename") else { return nil }
        guard let name = unsafeBitCast(symbol, to: CoreNameFunction.self)() else { return nil }
        return String(cString: name)
    }
}

/// No CBLAS could be opened.
public struct BLASError: Error, CustomStringConvertible, Sendable {
    public var tried: [String]
    public var description: String {
        "no BLAS library found (tried \(tried.joined(separator: ", "))); install OpenBLAS: apt-get install libopenblas0"
    }
}

/// The instruction-set extensions that decide which OpenBLAS kernels a CPU can run.
public struct CPUFeatures: Sendable {
    public var flags: Set<String>

    public static let current = CPUFeatures(cpuinfo: readCPUInfo())

    public init(cpuinfo: String) {
        let line = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        flags = Set(line.split(separator: ":").dropFirst().joined().split(separator: " ").map(String.init))
    }

    /// The OpenBLAS core type to ask for on this CPU, or nil when it has nothing better than SSE3.
    public var bestOpenBLASCore: String? {
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].allSatisfy(flags.contains) { return "SKYLAKEX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "HASWELL" }
        if flags.contains("avx") { return "SANDYBRIDGE" }
        return nil
    }

    /// The `flags` line of /proc/cpuinfo (Linux); empty elsewhere, which means "no AVX known".
    private static func readCPUInfo() -> String {
        guard let file = fopen("/proc/cpuinfo", "r") else { return "" }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let text = line.map({ String(cString: $0) }) {
            if text.hasPrefix("flags") { return text }
        }
        return ""
    }
}
