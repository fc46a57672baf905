#if canImport(Glibc)
import Glibc
#endif

/// The few libcurl calls a download needs, through `dlopen` of the system's `libcurl.so.4` (the
/// `libcurl4` package `.ci/install` already installs; there are no headers to build against).
///
/// Why not URLSession, which wraps the same libcurl: on Linux it hands every chunk to the delegate
/// through an operation queue, and a server that sends faster than the queue drains piles the
/// chunks up in memory (a 4 GB loopback stream reached 1.2 GB of RSS), while `cancel()` takes
/// effect seconds later. Called directly, libcurl hands each chunk to a callback on the calling
/// thread, which writes it to the file before libcurl reads more, and a callback's refusal stops
/// the transfer at once: memory stays flat and every limit is exact.
///
/// `curl_easy_setopt` and `curl_easy_getinfo` are variadic in C. They are called here through
/// non-variadic function types, one per argument kind (long, pointer); on the Linux ABIs Swift
/// supports (x86-64 System V, AArch64) variadic integer and pointer arguments travel exactly like
/// fixed ones.
struct Curl {
    typealias Handle = OpaquePointer
    typealias WriteCallback = @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int
    typealias ProgressCallback = @convention(c) (UnsafeMutableRawPointer?, Int64, Int64, Int64, Int64) -> Int32

    // curl.h's option and info numbers, part of libcurl's stable ABI.
    enum Option: Int32 {
        case writeData = 10001, url = 10002, userAgent = 10018, headerData = 10029, progressData = 10057
        case writeFunction = 20011, headerFunction = 20079, progressFunction = 20219
        case noProgress = 43, failOnError = 45, followLocation = 52, maxRedirects = 68, noSignal = 99
        case connectTimeoutMilliseconds = 156, protocols = 181, redirectProtocols = 182
    }
    enum Info: Int32 {
        case responseCode = 0x200002
        case contentLength = 0x60000F
    }
    /// CURLPROTO_HTTP | CURLPROTO_HTTPS.
    static let httpProtocols = 1 | 2

    /// curl.h's result codes that a download tells apart.
    enum Code {
        static let ok: Int32 = 0, unsupportedProtocol: Int32 = 1, partialFile: Int32 = 18, writeError: Int32 = 23
        static let abortedByCallback: Int32 = 42, tooManyRedirects: Int32 = 47
    }

    private typealias InitFunction = @convention(c) () -> Handle?
    private typealias CleanupFunction = @convention(c) (Handle?) -> Void
    private typealias PerformFunction = @convention(c) (Handle?) -> Int32
    private typealias SetLongFunction = @convention(c) (Handle?, Int32, Int) -> Int32
    private typealias SetPointerFunction = @convention(c) (Handle?, Int32, UnsafeRawPointer?) -> Int32
    private typealias GetInfoFunction = @convention(c) (Handle?, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias StrerrorFunction = @convention(c) (Int32) -> UnsafePointer<CChar>?
    private typealias GlobalInitFunction = @convention(c) (Int) -> Int32

    private let easyInit: InitFunction
    private let easyCleanup: CleanupFunction
    private let easyPerform: PerformFunction
    private let setLong: SetLongFunction
    private let setPointer: SetPointerFunction
    private let getInfo: GetInfoFunction
    private let strerror: StrerrorFunction

    /// The library, loaded and initialised once; nil when it is not installed.
    static let shared: Curl? = {
        for name in ["libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"] {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
            func symbol<T>(_ name: String, _ type: T.Type) -> T? { dlsym(handle, name).map { unsafeBitCast($0, to: type) } }
            guard let globalInit = symbol("curl_global_init", GlobalInitFunction.self),
                  let easyInit = symbol("curl_easy_init", InitFunction.self),
                  let easyCleanup = symbol("curl_easy_cleanup", CleanupFunction.self),
                  let easyPerform = symbol("curl_easy_perform", PerformFunction.self),
                  let setLong = symbol("curl_easy_setopt", SetLongFunction.self),
                  let setPointer = symbol("curl_easy_setopt", SetPointerFunction.self),
                  let getInfo = symbol("curl_easy_getinfo", GetInfoFunction.self),
                  let strerror = symbol("curl_easy_strerror", StrerrorFunction.self) else { continue }
            guard globalInit(3) == 0 else { continue }  // CURL_GLOBAL_ALL
            return Curl(easyInit: easyInit, easyCleanup: easyCleanup, easyPerform: easyPerform, setLong: setLong,
                        setPointer: setPointer, getInfo: getInfo, strerror: strerror)
        }
        return nil
    }()

    func makeHandle() -> Handle? { easyInit() }
    func cleanup(_ handle: Handle) { easyCleanup(handle) }
    func perform(_ handle: Handle) -> Int32 { easyPerform(handle) }

    @discardableResult
    func set(_ handle: Handle, _ option: Option, _ value: Int) -> Int32 { setLong(handle, option.rawValue, value) }
    @discardableResult
    func set(_ handle: Handle, _ option: Option, _ pointer: UnsafeRawPointer?) -> Int32 { setPointer(handle, option.rawValue, pointer) }
    @discardableResult
    func set(_ handle: Handle, _ option: Option, _ callback: WriteCallback) -> Int32 {
        setPointer(handle, option.rawValue, unsafeBitCast(callback, to: UnsafeRawPointer.self))
    }
    @discardableResult
    func set(_ handle: Handle, _ option: Option, _ callback: ProgressCallback) -> Int32 {
        setPointer(handle, option.rawValue, unsafeBitCast(callback, to: UnsafeRawPointer.self))
    }

    /// A long (or curl_off_t, the same width on 64-bit Linux) the transfer reports.
    func info(_ handle: Handle, _ info: Info) -> Int {
        var value = 0
        _ = withUnsafeMutablePointer(to: &value) { getInfo(handle, info.rawValue, $0) }
        return value
    }

    /// libcurl's one-line text for a result code (`Couldn't connect to server`).
    func text(_ code: Int32) -> String {
        strerror(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
