import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How many CPUs this process may actually use: the CPUs online, cut down to its affinity mask
/// (`taskset`, `docker --cpuset-cpus`) and to its cgroup's CPU quota (`docker --cpus`, Kubernetes
/// limits, CI runners). Threads beyond either only queue for the same cores or get throttled.
public enum CPUBudget {
    /// The budget of the calling process, read from the kernel and `/proc`, `/sys/fs/cgroup`.
    public static func current() -> Int {
        threads(online: sysconf(Int32(_SC_NPROCESSORS_ONLN)), affinity: affinityCount(),
                quota: cgroupQuota(membership: try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)))
    }

    /// The budget of one of `processes` processes started together on this machine (a data-parallel
    /// job's ranks on one node).
    public static func share(processes: Int) -> Int {
        share(processes: processes, online: sysconf(Int32(_SC_NPROCESSORS_ONLN)), affinity: affinityCount(),
              quota: cgroupQuota(membership: try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)))
    }

    /// A launcher that bound each process to its own CPUs (Open MPI binds to cores by default) has
    /// already shared them out: an affinity mask narrower than the machine is this process's share
    /// as it is. Otherwise the processes split the budget equally, at least one thread each.
    public static func share(processes: Int, online: Int, affinity: Int?, quota: Double?) -> Int {
        let budget = threads(online: online, affinity: affinity, quota: quota)
        if let affinity, affinity > 0, affinity < online { return budget }
        return max(1, budget / max(1, processes))
    }

    /// The thread count for these limits: the smallest of them, rounded down for a quota (1.5 CPUs
    /// give one thread: a second would spend half its time throttled), and at least one.
    public static func threads(online: Int, affinity: Int?, quota: Double?) -> Int {
        var n = max(1, online)
        if let affinity, affinity > 0 { n = min(n, affinity) }
        if let quota, quota > 0 { n = min(n, max(1, Int(quota.rounded(.down)))) }
        return n
    }

    /// The number of CPUs in this process's affinity mask (`sched_getaffinity`), or nil. Glibc
    /// declares it only under _GNU_SOURCE, which Swift's Glibc module does not set, so it is looked
    /// up by name.
    public static func affinityCount() -> Int? {
        typealias GetAffinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_getaffinity") else { return nil }
        let getAffinity = unsafeBitCast(symbol, to: GetAffinity.self)
        var mask = [UInt64](repeating: 0, count: 16)  // 1,024 CPUs, glibc's cpu_set_t
        let status = mask.withUnsafeMutableBytes { getAffinity(0, $0.count, $0.baseAddress!) }
        guard status == 0 else { return nil }
        let count = mask.reduce(0) { $0 + $1.nonzeroBitCount }
        return count > 0 ? count : nil
    }

    /// The CPU quota in CPUs (quota / period) of the cgroup named in `membership` (the text of
    /// /proc/self/cgroup), cgroup v2 or v1, or nil when there is none. The process's own group and
    /// every ancestor up to the root are read, and the smallest quota wins, since each limits it.
    /// Inside a container the group's path may not exist under the mount (the namespace hides it);
    /// then the mount's root, which is the container's own group, is read.
    public static func cgroupQuota(membership: String?, root: String = "/sys/fs/cgroup") -> Double? {
        guard let membership else { return nil }
        var quotas: [Double] = []
        for line in membership.split(separator: "\n") {
            // hierarchy-ID:controller-list:path
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty {
                quotas += groups(parts[2], under: root).compactMap { quotaV2(atGroup: $0) }
            } else if parts[1].split(separator: ",").contains("cpu") {
                let mount = ["\(root)/\(parts[1])", "\(root)/cpu,cpuacct", "\(root)/cpu"]
                    .first { FileManager.default.fileExists(atPath: $0) }
                if let mount { quotas += groups(parts[2], under: mount).compactMap { quotaV1(atGroup: $0) } }
            }
        }
        return quotas.min()
    }

    /// The folders of a group and of its ancestors that exist under `mount`, the group first.
    static func groups(_ path: String, under mount: String) -> [String] {
        var components = path.split(separator: "/").map(String.init)
        var folders: [String] = []
        while true {
            let folder = ([mount] + components).joined(separator: "/")
            if FileManager.default.fileExists(atPath: folder) { folders.append(folder) }
            if components.isEmpty { break }
            components.removeLast()
        }
        return folders
    }

    /// cgroup v2: `cpu.max` holds "QUOTA PERIOD" in microseconds, or "max PERIOD" for no limit.
    static func quotaV2(atGroup folder: String) -> Double? {
        guard let text = try? String(contentsOfFile: folder + "/cpu.max", encoding: .utf8) else { return nil }
        return parseCPUMax(text)
    }

    static func parseCPUMax(_ text: String) -> Double? {
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count >= 1, let quota = Double(fields[0]) else { return nil }  // "max"
        let period = fields.count >= 2 ? Double(fields[1]) ?? 100_000 : 100_000
        return quota > 0 && period > 0 ? quota / period : nil
    }

    /// cgroup v1: `cpu.cfs_quota_us` (-1 for no limit) over `cpu.cfs_period_us`.
    static func quotaV1(atGroup folder: String) -> Double? {
        guard let quotaText = try? String(contentsOfFile: folder + "/cpu.cfs_quota_us", encoding: .utf8),
              let periodText = try? String(contentsOfFile: folder + "/cpu.cfs_period_us", encoding: .utf8) else { return nil }
        return parseCFS(quota: quotaText, period: periodText)
    }

    static func parseCFS(quota: String, period: String) -> Double? {
        guard let q = Double(quota.trimmingCharacters(in: .whitespacesAndNewlines)),
              let p = Double(period.trimmingCharacters(in: .whitespacesAndNewlines)), q > 0, p > 0 else { return nil }
        return q / p
    }
}
