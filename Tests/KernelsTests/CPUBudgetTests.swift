import Foundation
import Kernels
import Testing

/// The thread count follows the CPUs a process may use: its affinity mask and its cgroup's quota,
/// read from a made-up /sys/fs/cgroup tree here (the real ones depend on the machine).
@Suite struct CPUBudgetTests {
    @Test func theSmallestLimitWinsAndAQuotaRoundsDown() {
        #expect(CPUBudget.threads(online: 8, affinity: nil, quota: nil) == 8)
        #expect(CPUBudget.threads(online: 8, affinity: 1, quota: nil) == 1)
        #expect(CPUBudget.threads(online: 8, affinity: 4, quota: 2.5) == 2)
        #expect(CPUBudget.threads(online: 8, affinity: nil, quota: 0.5) == 1)
        #expect(CPUBudget.threads(online: 2, affinity: 2, quota: 16) == 2)
    }

    /// Processes of one job on a machine: bound by their launcher, each keeps its own CPUs;
    /// unbound, they split what they may use.
    @Test func processesOnOneMachineShareItsCPUs() {
        #expect(CPUBudget.share(processes: 2, online: 8, affinity: 8, quota: nil) == 4)
        #expect(CPUBudget.share(processes: 2, online: 8, affinity: nil, quota: nil) == 4)
        #expect(CPUBudget.share(processes: 3, online: 2, affinity: 2, quota: nil) == 1)
        #expect(CPUBudget.share(processes: 2, online: 8, affinity: 4, quota: nil) == 4)  // bound to a socket each
        #expect(CPUBudget.share(processes: 2, online: 8, affinity: 1, quota: nil) == 1)  // bound to a core each
        #expect(CPUBudget.share(processes: 2, online: 8, affinity: 8, quota: 4) == 2)    // a container's quota for both
    }

    @Test func affinityIsReadFromTheKernel() throws {
        let count = try #require(CPUBudget.affinityCount())
        #expect(count >= 1 && count <= ProcessInfo.processInfo.processorCount)
    }

    /// A fake cgroup mount: `files` maps paths under it to contents.
    static func tree(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("specrun-cgroup-\(UUID().uuidString.prefix(8))")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func cgroupV2CPUMaxOfTheGroupAndItsAncestors() throws {
        let root = try Self.tree(["cpu.max": "max 100000\n", "ci/cpu.max": "150000 100000\n", "ci/job/cpu.max": "max 100000\n"])
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(CPUBudget.cgroupQuota(membership: "0::/ci/job\n", root: root.path) == 1.5)
        #expect(CPUBudget.cgroupQuota(membership: "0::/\n", root: root.path) == nil, "max means no limit")
        // In a container the group's path is not under the mount; the mount's root is the group.
        let container = try Self.tree(["cpu.max": "100000 100000\n"])
        defer { try? FileManager.default.removeItem(at: container) }
        #expect(CPUBudget.cgroupQuota(membership: "0::/docker/abc123\n", root: container.path) == 1)
    }

    @Test func cgroupV1CFSQuota() throws {
        let root = try Self.tree(["cpu,cpuacct/cpu.cfs_quota_us": "-1\n", "cpu,cpuacct/cpu.cfs_period_us": "100000\n",
                                  "cpu,cpuacct/runner/cpu.cfs_quota_us": "50000\n", "cpu,cpuacct/runner/cpu.cfs_period_us": "100000\n"])
        defer { try? FileManager.default.removeItem(at: root) }
        let membership = "12:memory:/runner\n4:cpu,cpuacct:/runner\n0::/\n"
        #expect(CPUBudget.cgroupQuota(membership: membership, root: root.path) == 0.5)
        #expect(CPUBudget.cgroupQuota(membership: "4:cpu,cpuacct:/\n", root: root.path) == nil, "-1 means no limit")
        #expect(CPUBudget.cgroupQuota(membership: nil, root: root.path) == nil)
    }
}
