#if canImport(Glibc)
import Glibc
#endif

/// Single-precision matrix products through the system's CBLAS (OpenBLAS), or, in a build for
/// AVX-512, through specrun's own kernel (`PackedGEMM`), which is faster there.
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
        var detectedCoreName: String?
        public var description: String {
            let products = PackedGEMM.isChosen ? "specrun's AVX-512 GEMM; " : ""
            if let detected = detectedCoreName {
                return "\(products)\(library) (core \(coreName); OpenBLAS detected \(detected), overridden with OPENBLAS_CORETYPE)"
            }
            return "\(products)\(library) (core \(coreName))"
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
    ///
    /// OpenBLAS runs on one thread (see `open()`); a large product is split here into column (or
    /// row) blocks of C, one per `Parallel` thread, so every core specrun uses belongs to one pool.
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
        let threads = Parallel.threadCount
        let work = m * n * k
        if threads > 1 && work >= parallelWork && !Parallel.isInsideParallelLoop && max(m, n) >= 2 * splitAlignment {
            if n >= m {
                // Column blocks of C: B's columns (or, transposed, its rows) and C's columns.
                let blocks = Parallel.chunks(n, parts: threads, alignment: splitAlignment)
                Parallel.forEach(blocks.count) { t in
                    let j = blocks[t]
                    call(transA, transB, m, j.count, k, alpha, a, lda, b + (transB ? j.lowerBound * ldb : j.lowerBound), ldb,
                         beta, c + j.lowerBound, ldc)
                }
            } else {
                // Row blocks of C: A's rows (or, transposed, its columns) and C's rows.
                let blocks = Parallel.chunks(m, parts: threads, alignment: splitAlignment)
                Parallel.forEach(blocks.count) { t in
                    let i = blocks[t]
                    call(transA, transB, i.count, n, k, alpha, a + (transA ? i.lowerBound : i.lowerBound * lda), lda, b, ldb,
                         beta, c + i.lowerBound * ldc, ldc)
                }
            }
            return
        }
        call(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// Products smaller than this many multiply-adds stay on one thread: waking a second one
    /// costs more than it saves (a 32 x 242 x 128 product took 0.077 ms split, 0.03 alone).
    static let parallelWork = 1 << 22
    /// Blocks of C start at multiples of this (a cache line, 16 floats).
    static let splitAlignment = 16

    @inline(__always)
    private static func call(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                             _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                             _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        if PackedGEMM.isChosen {
            PackedGEMM.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        library.sgemm(101, transA ? 112 : 111, transB ? 112 : 111, Int32(m), Int32(n), Int32(k),
                      alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    // MARK: - Loading

    typealias SgemmFunction = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
        UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
    ) -> Void
    typealias CoreNameFunction = @convention(c) () -> UnsafeMutablePointer<CChar>?

    struct Library: @unchecked Sendable {
        let sgemm: SgemmFunction
        let status: Status
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
        // One OpenBLAS thread: its own workers spin in sched_yield between calls (19% of a
        // two-output training profile) and fight specrun's threads for the same cores; sgemm
        // above splits large products across `Parallel` instead. Set before loading, so OpenBLAS
        // never starts its pool; a user's own OPENBLAS_NUM_THREADS is respected.
        if getenv("OPENBLAS_NUM_THREADS") == nil { setenv("OPENBLAS_NUM_THREADS", "1", 1) }
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
            let sgemm = unsafeBitCast(dlsym(handle, "cblas_sgemm")!, to: SgemmFunction.self)
            return .success(Library(sgemm: sgemm, status: Status(library: name, coreName: core ?? "unknown", detectedCoreName: detected)))
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

    /// Whether the engine was compiled for AVX-512 (Package.swift defines `SPECRUN_AVX512` for
    /// `skylake-avx512`): its 16-float vectors are then single instructions. The kernels choose
    /// by this rather than by `current`, since the code they run is the code that was compiled.
    public static let isBuiltForAVX512: Bool = {
        #if SPECRUN_AVX512
        return true
        #else
        return false
        #endif
    }()

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
